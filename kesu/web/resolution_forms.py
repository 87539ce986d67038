"""Forms of the resolution panels: department tasks, letters, returns, follow-up visits, rulings.

As in kesu/web/forms.py, every field is optional at the form level and the domain's messages are
the ones shown; `values()` reads what was typed into the shape the domain services take, with
the problems it finds collected as field errors (the same messages as the API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Department, User
from kesu.complaints.validation import Collector, parse_timestamp
from kesu.resolution.common import department_ref, user_ref, whole_number
from kesu.resolution.models import AppealDecision, ContactMethod, ReconciliationStatus, ReturnKind, ValidKind
from kesu.web.forms import ActionForm, area, local_to_iso, select, text

# Full-width in Chinese (“协调人：”); the same message as the other workspace forms.
LABEL_SUFFIX = pgettext_lazy("form label suffix", ":")
YES_NO_UNKNOWN = [("", _("not asked")), ("yes", _("yes")), ("no", _("no"))]


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def user_choices(users: Iterable[User]) -> list[tuple[str, str]]:
    return [(u.username, f"{u} ({u.department.name if u.department else '—'})") for u in users]


def _number(value: str) -> Any:
    """A whole number as typed: an int when it is one, else the text (refused by whole_number)."""
    value = value.strip()
    return int(value) if value.isdigit() else value


class ResolutionForm(ActionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", LABEL_SUFFIX)
        super().__init__(*args, **kwargs)

    def typed(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.fields}


# --- department tasks and the coordinator ------------------------------------------------------


class CoordinatorForm(ResolutionForm):
    coordinator = select(_("Coordinator"), [])

    def __init__(self, *args: Any, users: Iterable[User] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "coordinator")
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].widget.choices = _blank(_("choose")) + user_choices(users)

    def values(self, c: Collector) -> User | None:
        return user_ref(c, self.typed(), "coordinator", "coordinator", required=True)


class TaskForm(ResolutionForm):
    department = select(_("Department"), [])
    assignee = select(_("Assignee"), [])
    description = area(_("What the department is asked to do"), rows=2, required_html=True)
    due_at = forms.CharField(
        label=_("Due by"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(
        self, *args: Any, departments: Iterable[Department] = (), users: Iterable[User] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _blank(_("choose")) + [(d.code, d.name) for d in departments]
        self.fields["assignee"].widget.choices = _blank(_("anyone in the department")) + user_choices(users)

    def values(self, c: Collector) -> dict[str, Any]:
        data = self.typed()
        department = department_ref(c, data, "department", "department", required=True)
        assignee = user_ref(c, data, "assignee", "assignee")
        description = c.text(data, "description", "description", max_length=4000, required=True)
        due_at = None
        if not data["due_at"].strip():
            c.add("due_at", gettext("This field is required."), "required")
        else:
            due_at = parse_timestamp(local_to_iso(data["due_at"]), "due_at", c)
        return {"department": department, "assignee": assignee, "description": description, "due_at": due_at}


class TaskDoneForm(ResolutionForm):
    result = area(_("Result of the task"), rows=2, required_html=True)


class TaskCancelForm(ResolutionForm):
    reason = area(_("Why the task is no longer needed"), rows=2)


# --- letters -------------------------------------------------------------------------------------

LANGUAGE_LABELS = {"zh-hans": _("Simplified Chinese"), "zh-hant": _("Traditional Chinese"), "en": _("English")}
CHANNEL_LABELS = {"email": _("e-mail"), "sms": _("SMS")}


class LetterForm(ResolutionForm):
    language = select(_("Language of the letter"), [])
    channel = select(_("Send by"), [])
    cause = area(_("Cause (leave empty for the investigation's)"), rows=2)
    measures = area(_("Measures (leave empty for the complaint's result)"), rows=2)
    improvements = area(_("Improvements (leave empty for the linked corrective actions)"), rows=2)

    def __init__(
        self, *args: Any, kind: str, channels: Iterable[str] = (), wanted: Iterable[str] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "letter")
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = _blank(_("the customer's language")) + list(LANGUAGE_LABELS.items())
        self.fields["channel"].widget.choices = [(ch, CHANNEL_LABELS[ch]) for ch in channels]
        wanted = set(wanted)
        for name in ("cause", "measures", "improvements"):
            if name not in wanted:
                del self.fields[name]
        if not list(channels):
            del self.fields["channel"]

    def extra(self) -> dict[str, str]:
        return {name: self.value(name) for name in ("cause", "measures", "improvements") if name in self.fields}


# --- returns and credit notes --------------------------------------------------------------------


class ReturnForm(ResolutionForm):
    kind = select(_("Document"), [])
    item = text(_("Item"), max_length=200)
    lot = text(_("Lot number"), max_length=80)
    approved_quantity = text(_("Approved quantity"), inputmode="numeric")
    unit_price = text(_("Unit price (CNY)"), inputmode="decimal")
    amount = text(_("Amount (CNY)"), inputmode="decimal")
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = _blank(_("choose")) + list(ReturnKind.choices)
        self.fields["amount"].help_text = _(
            "Required for a credit note; a return slip defaults to quantity × unit price."
        )

    def values(self, c: Collector) -> dict[str, Any]:
        data: dict[str, Any] = self.typed()
        data["approved_quantity"] = _number(data["approved_quantity"])
        kind = c.text(data, "kind", "kind", max_length=20, required=True)
        item = c.text(data, "item", "item", max_length=200)
        lot = c.text(data, "lot", "lot", max_length=80)
        quantity = whole_number(c, data, "approved_quantity", "approved_quantity", minimum=1)
        unit_price = c.amount(data, "unit_price", "unit_price")
        amount = c.amount(data, "amount", "amount")
        note = c.text(data, "note", "note", max_length=2000)
        return {
            "kind": kind,
            "item": item,
            "lot": lot,
            "approved_quantity": quantity,
            "unit_price": unit_price,
            "amount": amount,
            "note": note,
        }


class ReceiptForm(ResolutionForm):
    returned_quantity = text(_("Quantity actually returned"), inputmode="numeric", required_html=True)

    def values(self, c: Collector) -> int | None:
        data = {"returned_quantity": _number(self.value("returned_quantity"))}
        return whole_number(c, data, "returned_quantity", "returned_quantity", required=True)


class FinanceFilterForm(ResolutionForm):
    kind = select(_("Document"), _blank(_("any document")) + list(ReturnKind.choices))
    reconciliation = select(_("Reconciliation"), _blank(_("any state")) + list(ReconciliationStatus.choices))
    issued_from = forms.DateField(
        label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def cleaned(self) -> dict[str, Any]:
        """The filters finance_returns takes; a day that is not a date is an error on its field."""
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        kind = self.data.get("kind") or None
        reconciliation = self.data.get("reconciliation") or None
        start, end = data.get("issued_from"), data.get("issued_to")
        zone = timezone.get_current_timezone()
        return {
            "kind": kind if kind in ReturnKind.values else None,
            "reconciliation": reconciliation if reconciliation in ReconciliationStatus.values else None,
            "created_from": dt.datetime.combine(start, dt.time(), zone) if start else None,
            "created_to": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone) if end else None,
        }


# --- follow-up visits ------------------------------------------------------------------------------


class FollowUpForm(ResolutionForm):
    scheduled_for = forms.CharField(label=_("Visit on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    method = select(_("How"), list(ContactMethod.choices))
    assignee = select(_("Who visits"), [])
    purpose = area(_("Purpose"), rows=2)

    def __init__(
        self, *args: Any, users: Iterable[User] = (), window: tuple[dt.date, dt.date] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "followup")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget.choices = _blank(_("nobody yet")) + user_choices(users)
        if window is not None:
            earliest, latest = window
            self.fields["scheduled_for"].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())

    def values(self, c: Collector) -> dict[str, Any]:
        data = self.typed()
        day = None
        if data["scheduled_for"].strip():
            day = parse_date(data["scheduled_for"].strip())
            if day is None:
                c.add("scheduled_for", gettext("Enter a date such as 2026-12-01."), "invalid_date")
        method = c.choice(data, "method", "method", ContactMethod, default=ContactMethod.VISIT)
        assignee = user_ref(c, data, "assignee", "assignee")
        purpose = c.text(data, "purpose", "purpose", max_length=2000)
        return {"scheduled_for": day, "method": method or ContactMethod.VISIT, "assignee": assignee, "purpose": purpose}


class FollowUpDoneForm(ResolutionForm):
    satisfied = select(_("Customer satisfied"), YES_NO_UNKNOWN)
    outcome = area(_("Outcome of the visit (or why it is cancelled)"), rows=2, required_html=True)
    cancel = forms.BooleanField(label=_("Cancel the visit instead"), required=False)

    def values(self, c: Collector) -> dict[str, Any]:
        data = self.typed()
        outcome = c.text(data, "outcome", "outcome", max_length=4000)
        return {
            "satisfied": {"yes": True, "no": False}.get(data["satisfied"]),
            "outcome": outcome,
            "cancel": self.data.get(self.add_prefix("cancel")) in ("on", "true", "1"),
        }


# --- validity rulings and appeals -----------------------------------------------------------------


class RulingForm(ResolutionForm):
    kind = select(_("Valid complaint of the kind"), [])
    staff = select(_("Staff member whose handling was judged"), [])
    reason = area(_("Reason for the ruling"), rows=2, required_html=True)

    def __init__(self, *args: Any, users: Iterable[User] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "ruling")
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = _blank(_("choose")) + list(ValidKind.choices)
        self.fields["staff"].widget.choices = _blank(_("nobody")) + user_choices(users)

    def values(self, c: Collector) -> dict[str, Any]:
        data = self.typed()
        kind = c.text(data, "kind", "kind", max_length=30, required=True)
        reason = c.text(data, "reason", "reason", max_length=4000, required=True)
        staff = user_ref(c, data, "staff", "staff")
        return {"kind": kind, "reason": reason, "staff": staff}


class AppealForm(ResolutionForm):
    reason = area(_("Grounds of the appeal"), rows=2, required_html=True)


class AppealAnswerForm(ResolutionForm):
    decision = select(_("Decision"), [])
    answer = area(_("Answer to the appeal"), rows=2, required_html=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.choices = _blank(_("choose")) + list(AppealDecision.choices)
