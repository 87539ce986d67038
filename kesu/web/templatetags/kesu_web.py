"""Presentation helpers for the workspace and the portal: masking, deadlines, numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints.models import TERMINAL_STATUSES, Complaint
from kesu.core.privacy import mask_email, mask_phone
from kesu.customers.services import display_phone

register = template.Library()


@register.filter
def phone_for(value: str | None, user: Any) -> str:
    """The phone as this user may see it: whole, or masked without the personal-data permission."""
    shown = display_phone(value)
    if not shown:
        return ""
    return shown if can_view_personal_data(user) else (mask_phone(shown) or "")


@register.filter
def email_for(value: str | None, user: Any) -> str:
    if not value:
        return ""
    return value if can_view_personal_data(user) else (mask_email(value) or "")


@register.filter
def number(value: Any, decimal_pos: int | None = None) -> str:
    """A number with the language's grouping and decimal separators (12,345.50 / 12,345.50)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = Decimal(value)
    return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


@register.filter
def money(value: Any) -> str:
    if value in (None, ""):
        return ""
    return _("¥%(amount)s") % {"amount": number(value, 2)}


DEADLINES = (
    ("acknowledge_due", "acknowledged_at"),
    ("reply_due", "replied_at"),
    ("close_due", "closed_at"),
)


def deadline_state(
    due: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime, status: str
) -> dict[str, str] | None:
    if due is None:
        return None
    if done_at is not None:
        late = done_at > due
        return {"kind": "late" if late else "met", "text": _("met late") if late else _("met")}
    if status in TERMINAL_STATUSES:
        return {"kind": "met", "text": _("no longer due")}
    if due < now:
        return {"kind": "overdue", "text": _("overdue by %(time)s") % {"time": timesince(due, now, depth=1)}}
    left = due - now
    kind = "soon" if left < dt.timedelta(hours=4) else "ok"
    return {"kind": kind, "text": _("%(time)s left") % {"time": timeuntil(due, now, depth=1)}}


@register.simple_tag
def deadline(complaint: Complaint, which: str, now: dt.datetime) -> dict[str, str] | None:
    for due_field, done_field in DEADLINES:
        if due_field == which:
            return deadline_state(getattr(complaint, due_field), getattr(complaint, done_field), now, complaint.status)
    return None


@register.simple_tag
def deadline_of(row: Any, complaint: Complaint, now: dt.datetime) -> dict[str, str] | None:
    """The badge of one of the complaint's deadline rows (the kinds not mirrored on the complaint)."""
    return deadline_state(row.due_at, row.met_at, now, complaint.status)


@register.simple_tag
def next_deadline(complaint: Complaint, now: dt.datetime) -> dict[str, Any] | None:
    """The first deadline not yet met, with its badge (for queue rows)."""
    if complaint.status in TERMINAL_STATUSES:
        return None
    labels = {"acknowledge_due": _("acknowledge"), "reply_due": _("reply"), "close_due": _("close")}
    for due_field, done_field in DEADLINES:
        due = getattr(complaint, due_field)
        if due is not None and getattr(complaint, done_field) is None:
            state = deadline_state(due, None, now, complaint.status)
            if state is not None:
                return {**state, "label": labels[due_field], "due": due}
    return None


@register.filter
def field_error_id(field: Any) -> str:
    return f"{field.auto_id}-error" if field.errors else ""


@register.filter
def may(user: Any, what: str) -> bool:
    """Navigation by role: `dashboard` for supervisors, managers and auditors; `register` for staff."""
    from kesu.accounts.permissions import can_register
    from kesu.web.selectors import DASHBOARD_ROLES

    if not getattr(user, "is_authenticated", False):
        return False
    if what == "dashboard":
        return user.role in DASHBOARD_ROLES
    if what == "register":
        return can_register(user)
    return False


@register.simple_tag
def nav_entries(user: Any) -> list[dict[str, Any]]:
    from kesu.web.navigation import nav_for

    return nav_for(user)


@register.filter
def sum_list(values: Any) -> int:
    return sum(values or [])
