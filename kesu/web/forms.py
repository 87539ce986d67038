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
from django.utils.translation import pgettext_lazy

from kesu.complaints.models import Channel
from kesu.complaints.services.transitions import INVALID_REASONS
from kesu.complaints.workflow import ALL_ACTIONS, Action
from kesu.core.errors import FieldError
from kesu.resolution.models import ContactMethod, RemedyType
from kesu.triage.models import Severity, Urgency

# After a field's label: the full-width colon in Chinese, a colon in English.
LABEL_SUFFIX = pgettext_lazy("form label suffix", ":")


class KesuForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", LABEL_SUFFIX)
        super().__init__(*args, **kwargs)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def text(label: Any, *, required_html: bool = False, max_length: int | None = None, **attrs: Any) -> forms.CharField:
    widget_attrs = dict(attrs)
    if required_html:
        widget_attrs["required"] = True
    if max_length:
        widget_attrs["maxlength"] = max_length
    return forms.CharField(label=label, required=False, strip=False, widget=forms.TextInput(attrs=widget_attrs))


def area(
    label: Any, rows: int = 3, *, required_html: bool = False, canned: str = "", help_text: Any = ""
) -> forms.CharField:
    attrs: dict[str, Any] = {"rows": rows}
    if canned:  # the canned-response picker (话术模板) attaches to these
        attrs["data-canned"] = canned
    if required_html:
        attrs["required"] = True
    return forms.CharField(
        label=label, required=False, strip=False, help_text=help_text, widget=forms.Textarea(attrs=attrs)
    )


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


# --- intake ----------------------------------------------------------------------------------

STAFF_CHANNELS = [c for c in Channel.choices if c[0] != "web"]
INTAKE_FIELDS = {
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "customer": "customer_name",
    "product.name": "product_name",
    "product.sku": "product_sku",
    "product.lot": "product_lot",
    "product.order_no": "order_no",
    "product.quantity": "product_quantity",
    "product.delivery_date": "delivery_date",
    "product": "product_name",
}


class IntakeForm(KesuForm):
    channel = select(_("Channel"), STAFF_CHANNELS)
    received_at = forms.CharField(
        label=_("Received at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
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
    delivery_date = forms.CharField(
        label=_("Delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    demand = area(_("Customer's demand"), rows=2)
    amount_claimed = text(_("Amount claimed (CNY)"), inputmode="decimal")
    overseas = forms.BooleanField(label=_("Overseas customer"), required=False)
    sample_kept = forms.BooleanField(label=_("A sample is kept aside"), required=False)
    external_ref = text(_("External reference"), max_length=100)
    related_to = forms.CharField(label=_("Repeat of complaint"), required=False)

    def __init__(self, *args: Any, categories: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _blank(_("choose later")) + [
            (c.code, ("\u3000" * (c.level - 1)) + c.localized_name) for c in categories
        ]

    def payload(self) -> dict[str, Any]:
        """The API-shaped body (see API.md POST /complaints) from what was typed."""
        d = {name: self.data.get(name, "") for name in self.fields}
        product = {
            "name": d["product_name"],
            "sku": d["product_sku"],
            "lot": d["product_lot"],
            "order_no": d["order_no"],
            "quantity": d["product_quantity"].strip(),
            "delivery_date": d["delivery_date"].strip(),
        }
        return {
            "channel": d["channel"],
            "received_at": local_to_iso(d["received_at"]),
            "customer": {
                "name": d["customer_name"],
                "phone": d["customer_phone"].strip(),
                "email": d["customer_email"].strip(),
            },
            "title": d["title"],
            "description": d["description"],
            "location": d["location"],
            "category": d["category"],
            "severity": d["severity"],
            "urgency": d["urgency"],
            "product": {k: v for k, v in product.items() if v},
            "demand": d["demand"],
            "amount_claimed": d["amount_claimed"].strip(),
            "overseas": self.data.get("overseas") in ("on", "true", "1"),
            "sample_kept": self.data.get("sample_kept") in ("on", "true", "1"),
            "external_ref": d["external_ref"],
            "related_to": d["related_to"].strip(),
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


class ActionForm(KesuForm):
    def value(self, name: str, default: str = "") -> str:
        """What was typed in field `name` (the form is prefixed with its action)."""
        return str(self.data.get(self.add_prefix(name), default))


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class NoteForm(ActionForm):
    note = area(_("Note (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"note": self.value("note", "")}


class InternalNoteForm(ActionForm):
    note = area(_("Internal note (optional, staff only)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"note": self.value("note", "")}


class AcceptForm(ActionForm):
    alternative = select(_("Offer the customer accepted"), [])
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, alternatives: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if alternatives > 1:
            self.fields["alternative"].widget.choices = _blank(_("choose")) + [
                (str(n), _("Offer %(n)d") % {"n": n}) for n in range(1, alternatives + 1)
            ]
        else:
            del self.fields["alternative"]

    def payload(self) -> dict[str, Any]:
        chosen = self.value("alternative", "")
        return {"note": self.value("note", ""), "alternative": int(chosen) if chosen.isdigit() else None}


class ReasonForm(ActionForm):
    reason = area(_("Reason"), rows=2, required_html=True)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.value("reason", "")}


class AssignForm(ActionForm):
    department = select(_("Department"), [], **{"data-narrows": "id_assign-assignee"})
    assignee = select(_("Assignee"), [])
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, departments: Iterable[Any] = (), users: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _blank(_("the assignee's department")) + [
            (d.code, d.name) for d in departments
        ]
        self.fields["assignee"].widget.choices = _blank(_("nobody yet")) + assignee_groups(users)

    def payload(self) -> dict[str, Any]:
        return {k: self.value(k, "") for k in ("department", "assignee", "note")}


def assignee_groups(users: Iterable[Any]) -> list[tuple[Any, Any]]:
    """The users grouped by department (<optgroup>, labelled with the department's name)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for u in users:
        name = u.department.name if u.department else str(_("no department"))
        groups.setdefault(name, []).append((u.username, f"{u} · {u.get_role_display()}"))
    return list(groups.items())


ALTERNATIVES = 3


class ProposeForm(ActionForm):
    """One round: up to three alternatives (the customer accepts one), each up to three remedies.
    Alternative 1 keeps the field names remedy_type_1…; the others are alt2_remedy_type_1…"""

    description = area(
        _("Solution, as the customer reads it"),
        rows=3,
        canned="solution",
        help_text=_("Shown to the customer on the portal once the solution is approved."),
    )
    internal_note = area(_("Internal note (staff only)"), rows=2, help_text=_("Never shown to the customer."))
    # RS-2: who carries the solution out, and by which date.
    responsible = forms.CharField(
        label=_("Responsible person (username)"),
        required=False,
        max_length=150,
        help_text=_("Who carries the solution out; leave blank to name yourself."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    due_date = forms.CharField(
        label=_("To be carried out by"),
        required=False,
        help_text=_("Leave blank for the closing deadline."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for a in range(1, ALTERNATIVES + 1):
            for i in range(1, REMEDY_ROWS + 1):
                self.fields[self.name("type", a, i)] = select(
                    _("Remedy %(n)d") % {"n": i}, _blank(_("none")) + list(RemedyType.choices)
                )
                self.fields[self.name("amount", a, i)] = text(_("Amount %(n)d (CNY)") % {"n": i}, inputmode="decimal")

    @staticmethod
    def name(what: str, alternative: int, row: int) -> str:
        prefix = "" if alternative == 1 else f"alt{alternative}_"
        return f"{prefix}remedy_{what}_{row}"

    def alternatives(self) -> list[dict[str, Any]]:
        """For the template: each alternative with its rows of (type, amount) bound fields."""
        out = []
        for a in range(1, ALTERNATIVES + 1):
            rows = [(self[self.name("type", a, i)], self[self.name("amount", a, i)]) for i in range(1, REMEDY_ROWS + 1)]
            filled = any(self.value(self.name(w, a, i)) for w in ("type", "amount") for i in range(1, REMEDY_ROWS + 1))
            errors = any(t.errors or m.errors for t, m in rows)
            out.append({"number": a, "rows": rows, "open": a == 1 or filled or errors})
        return out

    def _remedies(self, a: int) -> list[dict[str, Any]]:
        remedies = []
        for i in range(1, REMEDY_ROWS + 1):
            kind = self.value(self.name("type", a, i), "")
            amount = self.value(self.name("amount", a, i), "").strip()
            if kind or amount:
                remedies.append({"type": kind, "amount": amount or ("0" if kind in ("apology", "explanation") else "")})
        return remedies

    def payload(self) -> dict[str, Any]:
        offers = [self._remedies(a) for a in range(1, ALTERNATIVES + 1)]
        body: dict[str, Any] = {
            "description": self.value("description", ""),
            "internal_note": self.value("internal_note", ""),
        }
        for key in ("responsible", "due_date"):
            if self.value(key, "").strip():
                body[key] = self.value(key, "").strip()
        if sum(1 for o in offers if o) > 1:
            body["alternatives"] = [{"remedies": o} for o in offers if o]
        else:
            body["remedies"] = next((o for o in offers if o), [])
        return body

    def error_mapping(self) -> dict[str, str]:
        """The domain's field paths (remedies[0].amount, alternatives[1].remedies[0].type) → fields."""
        offered = [a for a in range(1, ALTERNATIVES + 1) if self._remedies(a)] or [1]
        mapping = {"remedies": self.name("type", offered[0], 1), "alternatives": self.name("type", offered[0], 1)}
        paths = (
            [("remedies", offered[0])]
            if len(offered) == 1
            else [(f"alternatives[{index}].remedies", a) for index, a in enumerate(offered)]
        )
        for path, a in paths:
            mapping[path] = self.name("type", a, 1)
            for i in range(REMEDY_ROWS):
                mapping[f"{path}[{i}]"] = mapping[f"{path}[{i}].type"] = self.name("type", a, i + 1)
                mapping[f"{path}[{i}].amount"] = self.name("amount", a, i + 1)
        return mapping


class ResolveForm(ActionForm):
    result = area(
        _("Result, as told to the customer"),
        rows=3,
        required_html=True,
        canned="solution",
        help_text=_("The customer reads this on the portal and in the result letter."),
    )

    def payload(self) -> dict[str, Any]:
        return {"result": self.value("result", "")}


class CallbackForm(ActionForm):
    method = select(_("How the customer was contacted"), list(ContactMethod.choices))
    reached = select(_("Was the customer reached?"), YES_NO)
    satisfied = select(_("Is the customer satisfied with the handling?"), YES_NO)
    score = select(
        _("Score the customer gave (5 = very satisfied)"),
        [("", _("no score")), *[(str(i), str(i)) for i in range(5, 0, -1)]],
    )
    comment = area(_("What the customer said"), rows=2, canned="callback")

    def payload(self) -> dict[str, Any]:
        score = self.value("score", "")
        return {
            "reached": _yes_no(self.value("reached")),
            "satisfied": _yes_no(self.value("satisfied")),
            "score": int(score) if score.isdigit() else None,
            "comment": self.value("comment", ""),
            "method": self.value("method", "") or ContactMethod.PHONE,
        }


class MergeForm(ActionForm):
    into = text(_("Merge into complaint number"), required_html=True, max_length=40)
    note = area(_("Note (optional)"), rows=2)

    def payload(self) -> dict[str, Any]:
        return {"into": self.value("into", "").strip(), "note": self.value("note", "")}


INVALID_REASON_LABELS = {
    "excessive_demand": _("excessive demand"),
    "harassment": _("harassment"),
    "untrue": _("untrue information"),
    "system_fault": _("system fault"),
    "knowledge_base": _("knowledge-base error"),
    "branch_error": _("a branch's error"),
    "recording_unavailable": _("recording unavailable"),
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
    "approve": InternalNoteForm,
    "reject_approval": ReasonForm,
    "customer_accept": AcceptForm,
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

# The next natural step: when its guard does not pass yet, the page says why instead of offering it.
EXPLAINED_WHEN_BLOCKED = frozenset({"propose_solution", "customer_accept", "resolve", "close"})

# Shown after the main actions, folded, because they end or divert the normal flow.
SECONDARY_ACTIONS = frozenset(
    {"escalate", "withdraw", "merge", "rule_invalid", "reopen", "reject_approval", "customer_reject"}
)


def action_form(action: str, data: Mapping[str, Any] | None = None, **choices: Any) -> ActionForm:
    form_class = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class is AssignForm:
        kwargs.update(departments=choices.get("departments", ()), users=choices.get("users", ()))
    if form_class is AcceptForm:
        kwargs.update(alternatives=choices.get("alternatives", 1))
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
            (d.code, d.name) for d in departments
        ]

    def payload(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.fields}


# --- what is not a status move: notes, reclassification, the clocks ---------------------------

NOTE_VISIBILITY = [
    ("internal", _("Internal note: staff only")),
    ("customer", _("Reply to the customer: shown on the portal")),
]


class NoteAddForm(ActionForm):
    text = area(_("Note"), rows=3, required_html=True, canned="note")
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=NOTE_VISIBILITY,
        required=False,
        initial="internal",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)

    def payload(self) -> dict[str, Any]:
        return {"text": self.value("text", ""), "visibility": self.value("visibility", "")}


class ReclassifyForm(ActionForm):
    category = select(_("Category"), [])
    severity = select(_("Severity"), _blank(_("unchanged")) + list(Severity.choices))
    urgency = select(_("Urgency"), _blank(_("unchanged")) + list(Urgency.choices))
    reason = area(_("Reason"), rows=2, help_text=_("Needed when you change the severity."))

    def __init__(self, *args: Any, categories: Iterable[Any] = (), grading: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reclassify")
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _blank(_("unchanged")) + [
            (c.code, ("\u3000" * (c.level - 1)) + c.localized_name) for c in categories
        ]
        if not grading:  # handlers set the category (level 4 included) but not the grading
            del self.fields["severity"], self.fields["urgency"]

    def payload(self) -> dict[str, Any]:
        return {name: self.value(name, "") for name in ("category", "severity", "urgency", "reason")}


class PauseForm(ActionForm):
    reason = select(_("Why the clocks stop"), [])
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kesu.deadlines.models import PauseReason

        kwargs.setdefault("prefix", "pause")
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.choices = _blank(_("choose")) + list(PauseReason.choices)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.value("reason", ""), "note": self.value("note", "")}


DEADLINE_LABELS = {"acknowledge": _("Acknowledge by"), "reply": _("Reply by"), "close": _("Close by")}


class ExtendForm(ActionForm):
    kind = select(_("Deadline"), [])
    reason = area(_("Reason"), rows=2, required_html=True)

    def __init__(self, *args: Any, deadlines: Iterable[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "extend")
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = [
            (row.kind, DEADLINE_LABELS.get(row.kind, _("other deadline"))) for row in deadlines
        ]

    def payload(self) -> dict[str, Any]:
        return {"kind": self.value("kind", ""), "reason": self.value("reason", "")}


def investigation_initial(investigation: Any) -> dict[str, Any]:
    if investigation is None:
        return {}
    return {
        "findings": investigation.findings,
        "root_cause": investigation.root_cause,
        "cause_class": investigation.cause_class,
        "responsibility": investigation.responsibility,
        "responsible_department": (
            investigation.responsible_department.code if investigation.responsible_department else ""
        ),
        "loss_amount": investigation.loss_amount if investigation.loss_amount is not None else "",
    }


def now_local_input(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")
