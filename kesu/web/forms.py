"""Forms of the staff workspace. They bind and render; the domain validates.

Every field is optional at the form level so that the domain's messages (one set of rules for
the API, the workspace and the portal) are the ones shown, mapped back onto the fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Channel, Status
from kesu.complaints.services.transitions import INVALID_REASONS
from kesu.complaints.workflow import ALL_ACTIONS, Action
from kesu.core.errors import FieldError
from kesu.resolution.models import RemedyType
from kesu.triage.models import Severity, Urgency
from kesu.web.selectors import SORTS, QueueQuery


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def text(label: Any, *, required_html: bool = False, max_length: int | None = None, **attrs: Any) -> forms.CharField:
    widget_attrs = dict(attrs)
    if required_html:
        widget_attrs["required"] = True
    if max_length:
        widget_attrs["maxlength"] = max_length
    return forms.CharField(label=label, required=False, strip=False, widget=forms.TextInput(attrs=widget_attrs))


def area(label: Any, rows: int = 3, *, required_html: bool = False) -> forms.CharField:
    attrs: dict[str, Any] = {"rows": rows}
    if required_html:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, strip=False, widget=forms.Textarea(attrs=attrs))


def select(label: Any, choices: Iterable[tuple[str, Any]], **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=list(choices), attrs=attrs))


def apply_errors(form: forms.Form, errors: Iterable[FieldError], mapping: Mapping[str, str] | None = None) -> None:
    """Put the domain's field errors on the form's fields (unknown fields become form errors)."""
    mapping = mapping or {}
    for error in errors:
        name = None
        if error.field:
            name = mapping.get(error.field, error.field.replace(".", "_"))
            if name not in form.fields:
                name = None
        form.add_error(name, str(error.message))


# --- queues ----------------------------------------------------------------------------------

class QueueForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("number, name, text…")}))
    status = select(_("Status"), [("", _("any status")), ("open", _("any open status")), *Status.choices])
    severity = select(_("Severity"), _blank(_("any severity")) + list(Severity.choices))
    channel = select(_("Channel"), _blank(_("any channel")) + list(Channel.choices))
    category = select(_("Category"), [])
    department = select(_("Department"), [])
    day = forms.DateField(label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = select(_("Sort by"), list(SORTS.items()))

    def __init__(self, *args: Any, categories: Iterable[Any] = (), departments: Iterable[Any] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _blank(_("any category")) + [
            (c.code, c.localized_name) for c in categories]
        self.fields["department"].widget.choices = _blank(_("any department")) + [
            (d.code, d.name) for d in departments]

    def clean_day(self) -> Any:
        day = self.cleaned_data.get("day")
        # 9999-12-31 has no next day to end the range at (and 0001-01-01 no time zone offset before it).
        if day is not None and not 1900 <= day.year <= 2999:
            raise forms.ValidationError(_("Enter a date between the years 1900 and 2999."), code="date_range")
        return day

    def query(self, queue: str, page: str | None) -> QueueQuery:
        data = self.cleaned_data if self.is_valid() else {}
        try:
            page_number = max(1, int(page or 1))
        except ValueError:
            page_number = 1
        return QueueQuery(
            queue=queue or "", status=data.get("status", ""), severity=data.get("severity", ""),
            channel=data.get("channel", ""), category=data.get("category", ""),
            department=data.get("department", ""), q=(data.get("q") or "").strip(),
            sort=str(data.get("sort")) if data.get("sort") in SORTS else "-received_at", page=page_number,
            day=data.get("day"),
        )


# --- intake ----------------------------------------------------------------------------------

STAFF_CHANNELS = [c for c in Channel.choices if c[0] != "web"]
INTAKE_FIELDS = {
    "customer.name": "customer_name", "customer.phone": "customer_phone", "customer.email": "customer_email",
    "customer": "customer_name", "product.name": "product_name", "product.sku": "product_sku",
    "product.lot": "product_lot", "product.order_no": "order_no", "product.quantity": "product_quantity",
    "product": "product_name",
}


class IntakeForm(forms.Form):
    channel = select(_("Channel"), STAFF_CHANNELS)
    received_at = forms.CharField(label=_("Received at"), required=False,
                                  help_text=_("Leave empty for now."),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    customer_name = text(_("Complainant name"), required_html=True, max_length=100, autocomplete="off")
    customer_phone = text(_("Phone"), type="tel", autocomplete="off", inputmode="tel")
    customer_email = text(_("E-mail"), type="email", autocomplete="off")
    title = text(_("Title"), max_length=200)
    description = area(_("What happened"), rows=5, required_html=True)
    location = text(_("Where"), max_length=200)
    category = select(_("Category"), [])
    severity = select(_("Severity"), _blank(_("as suggested")) + list(Severity.choices))
    urgency = select(_("Urgency"), list(Urgency.choices))
    product_name = text(_("Product or service"), max_length=200)
    product_sku = text(_("Article number"), max_length=80)
    product_lot = text(_("Lot number"), max_length=80)
    order_no = text(_("Order number"), max_length=80)
    product_quantity = text(_("Quantity"), inputmode="numeric")
    demand = area(_("Customer's demand"), rows=2)
    amount_claimed = text(_("Amount claimed (CNY)"), inputmode="decimal")
    overseas = forms.BooleanField(label=_("Overseas customer"), required=False)
    external_ref = text(_("External reference"), max_length=100)
    related_to = forms.CharField(label=_("Repeat of complaint"), required=False)

    def __init__(self, *args: Any, categories: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _blank(_("choose later")) + [
            (c.code, ("\u3000" * (c.level - 1)) + c.localized_name) for c in categories]

    def payload(self) -> dict[str, Any]:
        """The API-shaped body (see API.md POST /complaints) from what was typed."""
        d = {name: self.data.get(name, "") for name in self.fields}
        product = {"name": d["product_name"], "sku": d["product_sku"], "lot": d["product_lot"],
                   "order_no": d["order_no"], "quantity": d["product_quantity"].strip()}
        return {
            "channel": d["channel"],
            "received_at": local_to_iso(d["received_at"]),
            "customer": {"name": d["customer_name"], "phone": d["customer_phone"].strip(),
                         "email": d["customer_email"].strip()},
            "title": d["title"], "description": d["description"], "location": d["location"],
            "category": d["category"], "severity": d["severity"], "urgency": d["urgency"],
            "product": {k: v for k, v in product.items() if v},
            "demand": d["demand"], "amount_claimed": d["amount_claimed"].strip(),
            "overseas": self.data.get("overseas") in ("on", "true", "1"),
            "external_ref": d["external_ref"], "related_to": d["related_to"].strip(),
        }


def local_to_iso(value: str) -> str:
    """A `datetime-local` value (no offset) read in the current time zone, as ISO 8601."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return value
    if parsed is None:
        return value
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed.isoformat()


# --- actions on a complaint ------------------------------------------------------------------

YES_NO = [("", _("choose")), ("yes", _("yes")), ("no", _("no"))]
REMEDY_ROWS = 3


class ActionForm(forms.Form):
    def value(self, name: str, default: str = "") -> str:
        """What was typed in field `name` (the form is prefixed with its action)."""
        return str(self.data.get(self.add_prefix(name), default))


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class NoteForm(ActionForm):
    note = area(_("Note (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"note": self.value("note", "")}


class ReasonForm(ActionForm):
    reason = area(_("Reason"), rows=2, required_html=True)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.value("reason", "")}


class AssignForm(ActionForm):
    department = select(_("Department"), [])
    assignee = select(_("Assignee"), [])
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, departments: Iterable[Any] = (), users: Iterable[Any] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _blank(_("the assignee's department")) + [
            (d.code, d.name) for d in departments]
        self.fields["assignee"].widget.choices = _blank(_("nobody yet")) + [
            (u.username, f"{u} ({u.department.name if u.department else '-'})") for u in users]

    def payload(self) -> dict[str, Any]:
        return {k: self.value(k, "") for k in ("department", "assignee", "note")}


class ProposeForm(ActionForm):
    description = area(_("Solution"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, REMEDY_ROWS + 1):
            self.fields[f"remedy_type_{i}"] = select(_("Remedy %(n)d") % {"n": i},
                                                     _blank(_("none")) + list(RemedyType.choices))
            self.fields[f"remedy_amount_{i}"] = text(_("Amount %(n)d (CNY)") % {"n": i}, inputmode="decimal")

    def payload(self) -> dict[str, Any]:
        remedies = []
        for i in range(1, REMEDY_ROWS + 1):
            kind = self.value(f"remedy_type_{i}", "")
            amount = self.value(f"remedy_amount_{i}", "").strip()
            if kind or amount:
                remedies.append({"type": kind, "amount": amount or ("0" if kind in ("apology", "explanation") else "")})
        return {"remedies": remedies, "description": self.value("description", "")}

    @staticmethod
    def error_mapping() -> dict[str, str]:
        mapping = {"remedies": "remedy_type_1"}
        for i in range(REMEDY_ROWS):
            mapping[f"remedies[{i}].type"] = f"remedy_type_{i + 1}"
            mapping[f"remedies[{i}].amount"] = f"remedy_amount_{i + 1}"
            mapping[f"remedies[{i}]"] = f"remedy_type_{i + 1}"
        return mapping


class ResolveForm(ActionForm):
    result = area(_("Result, as told to the customer"), rows=3, required_html=True)

    def payload(self) -> dict[str, Any]:
        return {"result": self.value("result", "")}


class CallbackForm(ActionForm):
    reached = select(_("Customer reached"), YES_NO)
    satisfied = select(_("Customer satisfied"), YES_NO)
    score = select(_("Score"), [("", _("no score")), *[(str(i), str(i)) for i in range(5, 0, -1)]])
    comment = area(_("Comment"), rows=2)

    def payload(self) -> dict[str, Any]:
        score = self.value("score", "")
        return {"reached": _yes_no(self.value("reached")), "satisfied": _yes_no(self.value("satisfied")),
                "score": int(score) if score.isdigit() else None, "comment": self.value("comment", "")}


class MergeForm(ActionForm):
    into = text(_("Merge into complaint number"), required_html=True, max_length=40)
    note = area(_("Note (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"into": self.value("into", "").strip(), "note": self.value("note", "")}


INVALID_REASON_LABELS = {
    "excessive_demand": _("excessive demand"), "harassment": _("harassment"), "untrue": _("untrue information"),
    "system_fault": _("system fault"), "knowledge_base": _("knowledge-base error"),
    "branch_error": _("a branch's error"), "recording_unavailable": _("recording unavailable"),
}


class InvalidForm(ActionForm):
    reason = select(_("Reason"), _blank(_("choose")) + [(r, INVALID_REASON_LABELS[r]) for r in INVALID_REASONS])
    note = area(_("Note (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.value("reason", ""), "note": self.value("note", "")}


class WithdrawForm(ActionForm):
    reason = area(_("Reason (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.value("reason", "")}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "acknowledge": NoteForm,
    "assign": AssignForm,
    "start_investigation": NoteForm,
    "propose_solution": ProposeForm,
    "approve": NoteForm,
    "reject_approval": ReasonForm,
    "customer_accept": NoteForm,
    "customer_reject": ReasonForm,
    "resolve": ResolveForm,
    "record_callback": CallbackForm,
    "close": NoteForm,
    "reopen": ReasonForm,
    "escalate": ReasonForm,
    "withdraw": WithdrawForm,
    "merge": MergeForm,
    "rule_invalid": InvalidForm,
}

# The button labels are the action spec's (kesu/complaints/workflow.py Action).
ACTION_LABELS: dict[str, Any] = {action: Action(action).label for action in ALL_ACTIONS}

# Shown after the main actions, folded, because they end or divert the normal flow.
SECONDARY_ACTIONS = frozenset({"escalate", "withdraw", "merge", "rule_invalid", "reopen", "reject_approval",
                               "customer_reject"})


def action_form(action: str, data: Mapping[str, Any] | None = None, **choices: Any) -> ActionForm:
    form_class = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class is AssignForm:
        kwargs.update(departments=choices.get("departments", ()), users=choices.get("users", ()))
    return form_class(data, **kwargs)


class InvestigationForm(ActionForm):
    """The investigation record (SPEC IV-1, IV-2, CL-4): what a solution needs first."""

    findings = area(_("Findings"), rows=3)
    root_cause = area(_("Root cause"), rows=2, required_html=True)
    cause_class = select(_("Cause class"), [])
    responsibility = select(_("Responsibility"), [])
    responsible_department = select(_("Responsible department"), [])
    loss_amount = text(_("Loss amount (CNY)"), inputmode="decimal")

    def __init__(self, *args: Any, departments: Iterable[Any] = (), **kwargs: Any) -> None:
        from kesu.resolution.models import CauseClass, Responsibility

        kwargs.setdefault("prefix", "investigation")
        super().__init__(*args, **kwargs)
        self.fields["cause_class"].widget.choices = _blank(_("choose")) + list(CauseClass.choices)
        self.fields["responsibility"].widget.choices = _blank(_("choose")) + list(Responsibility.choices)
        self.fields["responsible_department"].widget.choices = _blank(_("none")) + [
            (d.code, d.name) for d in departments]

    def payload(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.fields}


def investigation_initial(investigation: Any) -> dict[str, Any]:
    if investigation is None:
        return {}
    return {"findings": investigation.findings, "root_cause": investigation.root_cause,
            "cause_class": investigation.cause_class, "responsibility": investigation.responsibility,
            "responsible_department": (investigation.responsible_department.code
                                       if investigation.responsible_department else ""),
            "loss_amount": investigation.loss_amount if investigation.loss_amount is not None else ""}


def now_local_input(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")
