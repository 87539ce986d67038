"""The parameter parsers of the lifecycle actions: payload → params, or ValidationFailed naming the
field. Which parser an action uses is declared once, in kesu/complaints/actions.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.complaints.validation import Collector
from kesu.desk.phrases import check_outgoing
from kesu.resolution.common import user_ref
from kesu.resolution.models import ContactMethod, InvalidReason, RemedyType

# The API.md reason codes of an invalid ruling, with their labels in kesu/resolution/models.py.
INVALID_REASONS: tuple[str, ...] = tuple(InvalidReason.values)
Params = dict[str, Any]


def _note_only(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"note": note}


def _reason_required(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=2000, required=True)
    c.raise_if_any()
    return {"reason": reason}


def _parse_assign(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    department_ref = c.text(payload, "department", "department", max_length=80)
    assignee_ref = c.text(payload, "assignee", "assignee", max_length=150)
    note = c.text(payload, "note", "note", max_length=2000)
    department = assignee = None
    if department_ref:
        department = (
            Department.objects.filter(code=department_ref).first()
            or Department.objects.filter(name=department_ref).first()
        )
        if department is None:
            c.add("department", _("Unknown department: %(ref)s.") % {"ref": department_ref}, "not_found")
    if assignee_ref:
        assignee = User.objects.filter(username=assignee_ref, is_active=True).first()
        if assignee is None:
            c.add("assignee", _("Unknown user: %(ref)s.") % {"ref": assignee_ref}, "not_found")
        elif assignee.role == Role.AUDITOR:
            c.add("assignee", _("An auditor cannot handle complaints."), "invalid")
        elif department is not None and assignee.department_id != department.pk:
            c.add(
                "assignee",
                _("%(user)s is not in %(department)s.") % {"user": assignee.username, "department": department.name},
                "wrong_department",
            )
    if not department_ref and not assignee_ref:
        c.add("department", _("Give a department, an assignee or both."), "required")
    c.raise_if_any()
    if department is None and assignee is not None:
        department = assignee.department
    return {"department": department, "assignee": assignee, "note": note}


def _parse_remedies(
    c: Collector, remedies_raw: Any, field: str, alternative: int, remedies: list[dict[str, Any]]
) -> None:
    if not isinstance(remedies_raw, list) or not remedies_raw:
        c.add(field, _("Give at least one remedy with its type and amount."), "required")
        return
    if len(remedies_raw) > 20:
        c.add(field, _("Give at most 20 remedies."), "too_many")
    for index, item in enumerate(remedies_raw[:20]):
        if not isinstance(item, Mapping):
            c.add(f"{field}[{index}]", _("Send each remedy as an object with type and amount."), "type")
            continue
        kind = c.choice(item, "type", f"{field}[{index}].type", RemedyType, required=True)
        amount = c.amount(item, "amount", f"{field}[{index}].amount")
        note = c.text(item, "note", f"{field}[{index}].note", max_length=200)
        if item.get("amount") in (None, ""):
            c.add(f"{field}[{index}].amount", _("This field is required."), "required")
        if kind and amount is not None:
            remedies.append({"type": kind, "amount": amount, "note": note, "alternative": alternative})


def _parse_propose(payload: Mapping[str, Any], actor: User) -> Params:
    """`remedies` (one offer) or `alternatives`: [{"remedies": [...]}, …] (RS-3: several offers in one
    round, the customer accepts one)."""
    c = Collector()
    remedies: list[dict[str, Any]] = []
    alternatives_raw = payload.get("alternatives")
    if alternatives_raw not in (None, []):
        if payload.get("remedies") not in (None, []):
            c.add("alternatives", _("Give either remedies or alternatives, not both."), "conflict")
        elif not isinstance(alternatives_raw, list):
            c.add("alternatives", _("Send the alternatives as a list of objects with their remedies."), "type")
        elif len(alternatives_raw) > 5:
            c.add("alternatives", _("Offer at most 5 alternatives."), "too_many")
        else:
            for number, alternative in enumerate(alternatives_raw, start=1):
                field = f"alternatives[{number - 1}].remedies"
                if not isinstance(alternative, Mapping):
                    c.add(
                        f"alternatives[{number - 1}]",
                        _("Send each alternative as an object with its remedies."),
                        "type",
                    )
                    continue
                _parse_remedies(c, alternative.get("remedies"), field, number, remedies)
    else:
        _parse_remedies(c, payload.get("remedies"), "remedies", 1, remedies)
    description = c.text(payload, "description", "description", max_length=4000)
    internal_note = c.text(payload, "internal_note", "internal_note", max_length=4000)
    # RS-2: who carries it out (default: the proposer) and by which date (default: the closing
    # deadline); whether the date is still to come is checked with the action's `now`.
    responsible = user_ref(c, payload, "responsible", "responsible")
    due_date = _date(c, payload, "due_date")
    c.raise_if_any()
    check_outgoing({"description": description})  # OP-4: the solution's wording reaches the customer
    return {
        "remedies": remedies,
        "description": description,
        "internal_note": internal_note,
        "note": description,
        "responsible": responsible,
        "due_date": due_date,
    }


def _date(c: Collector, payload: Mapping[str, Any], key: str) -> dt.date | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    day = None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        c.add(key, _("Enter a date as YYYY-MM-DD."), "invalid_date")
    return day


def _parse_accept(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    note = c.text(payload, "note", "note", max_length=2000)
    alternative = payload.get("alternative")
    if alternative in (None, ""):
        alternative = None
    elif isinstance(alternative, bool) or not isinstance(alternative, int) or not 1 <= alternative <= 5:
        c.add("alternative", _("Choose an alternative from 1 to %(count)d.") % {"count": 5}, "invalid_choice")
    c.raise_if_any()
    return {"note": note, "alternative": alternative}


def _parse_resolve(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    result = c.text(payload, "result", "result", max_length=4000, required=True)
    c.raise_if_any()
    check_outgoing({"result": result})  # OP-4: the result goes to the customer in writing
    return {"result": result}


def _parse_callback(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reached = payload.get("reached")
    satisfied = payload.get("satisfied")
    if not isinstance(reached, bool):
        c.add("reached", _("Say whether the customer was reached (true or false)."), "required")
    elif reached and not isinstance(satisfied, bool):
        c.add("satisfied", _("Say whether the customer is satisfied (true or false)."), "required")
    score = payload.get("score")
    if score not in (None, "") and (isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5):
        c.add("score", _("Give a score from 1 to 5."), "invalid")
        score = None
    comment = c.text(payload, "comment", "comment", max_length=2000)
    method = c.choice(payload, "method", "method", ContactMethod, default=ContactMethod.PHONE)
    c.raise_if_any()
    return {
        "reached": reached,
        "satisfied": satisfied if reached else None,
        "score": score or None,
        "comment": comment,
        "note": comment,
        "method": method,
    }


def _parse_merge(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    into = c.text(payload, "into", "into", max_length=40, required=True)
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"into": into, "note": note}


def _parse_invalid(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = payload.get("reason")
    if reason in (None, ""):
        c.add("reason", _("Give the reason for ruling the complaint invalid."), "required")
    elif reason not in INVALID_REASONS:
        c.add("reason", _("Choose one of: %(choices)s.") % {"choices": ", ".join(INVALID_REASONS)}, "invalid_choice")
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"reason": reason, "note": note}


def _parse_withdraw(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=2000)
    c.raise_if_any()
    return {"reason": reason}
