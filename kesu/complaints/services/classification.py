"""Reclassifying a complaint (SPEC CL-1…CL-3): severity, urgency and category after intake.

Not a status move, so it is not in the transition table; like every write it runs in one
transaction with its timeline event and audit record. Overriding the severity needs a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import FRONT_DESK
from kesu.complaints.events import record_event
from kesu.complaints.models import OPEN_STATUSES, Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.intake import notify_major
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, NotFound, PermissionDenied
from kesu.deadlines.services import initial_deadlines
from kesu.triage.models import Category, Severity, Urgency

# Handlers set the category (level 4 once the facts are verified, CL-1) but not the grading.
CATEGORY_ROLES = frozenset({*FRONT_DESK, Role.HANDLER})


def complaint_reclassify(*, actor: User, number: str, payload: Mapping[str, Any], now: dt.datetime) -> Complaint:
    c = Collector()
    severity = c.choice(payload, "severity", "severity", Severity)
    urgency = c.choice(payload, "urgency", "urgency", Urgency)
    reason = c.text(payload, "reason", "reason", max_length=2000)
    category: Category | None = None
    category_code = payload.get("category")
    if category_code not in (None, ""):
        category = Category.objects.filter(code=str(category_code)[:120], active=True).first()
        if category is None:
            c.add("category", _("Unknown category: %(code)s.") % {"code": str(category_code)[:120]}, "invalid_choice")
    if severity is None and urgency is None and category is None and not c.errors:
        c.add("severity", _("Give a new severity, urgency or category."), "required")
    c.raise_if_any()
    if actor.role not in CATEGORY_ROLES or (actor.role == Role.HANDLER and (severity or urgency)):
        raise PermissionDenied(_("Your role may not change the grading of a complaint."))
    with transaction.atomic():
        complaint = visible_complaints(actor).select_for_update(of=("self",)).filter(number=number).first()
        if complaint is None:
            raise NotFound(_("No complaint has this number."))
        if complaint.status not in OPEN_STATUSES:
            raise Conflict(_("A complaint that is no longer open cannot be reclassified."))
        if severity and severity != complaint.severity and not reason:
            c.add("reason", _("Give the reason for overriding the severity."), "required")
            c.raise_if_any()
        before = {"severity": complaint.severity, "urgency": complaint.urgency,
                  "category": complaint.category.code if complaint.category else None,
                  "acknowledge_due": complaint.acknowledge_due, "reply_due": complaint.reply_due,
                  "close_due": complaint.close_due}
        became_major = severity == Severity.MAJOR and complaint.severity != Severity.MAJOR
        if severity and severity != complaint.severity:
            complaint.severity = severity
            complaint.severity_source = "staff"
            complaint.severity_rule = None
        if urgency:
            complaint.urgency = urgency
        if category is not None:
            complaint.category = category
        deadlines = initial_deadlines(
            received_at=complaint.received_at, severity=complaint.severity, urgency=complaint.urgency,
            channel=complaint.channel, category_code=complaint.category.code if complaint.category else None,
            overseas=complaint.overseas,
        )
        complaint.acknowledge_due = deadlines.acknowledge_due
        complaint.reply_due = deadlines.reply_due
        complaint.close_due = deadlines.close_due
        complaint.updated_at = now
        complaint.save(update_fields=["severity", "severity_source", "severity_rule", "urgency", "category",
                                      "acknowledge_due", "reply_due", "close_due", "updated_at"])
        after = {"severity": complaint.severity, "urgency": complaint.urgency,
                 "category": complaint.category.code if complaint.category else None,
                 "acknowledge_due": complaint.acknowledge_due, "reply_due": complaint.reply_due,
                 "close_due": complaint.close_due}
        record_event(complaint=complaint, kind="reclassified", actor=actor, at=now, note=reason,
                     data={"before": {k: _text(v) for k, v in before.items()},
                           "after": {k: _text(v) for k, v in after.items()}})
        if became_major:
            notify_major(complaint=complaint, now=now)
    return complaint


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value
