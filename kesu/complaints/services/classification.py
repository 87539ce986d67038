"""Reclassifying a complaint (SPEC CL-1…CL-3): severity, urgency and category after intake.

Not a status move, so it is not in the transition table; like every write it runs in one
transaction with its timeline event and audit record. Overriding the severity needs a reason;
the deadlines that depend on the grading are recomputed.
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
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.services.intake import notify_major
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, PermissionDenied
from kesu.deadlines.services import deadlines_recompute
from kesu.triage.intelligence import record_reclassification
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
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.status not in OPEN_STATUSES:
            raise Conflict(_("A complaint that is no longer open cannot be reclassified."))
        if severity and severity != complaint.severity and not reason:
            c.add("reason", _("Give the reason for overriding the severity."), "required")
            c.raise_if_any()
        before = {
            "severity": complaint.severity,
            "urgency": complaint.urgency,
            "category": complaint.category.code if complaint.category else None,
        }
        became_major = severity == Severity.MAJOR and complaint.severity != Severity.MAJOR
        if severity and severity != complaint.severity:
            complaint.severity = severity
            complaint.severity_source = "staff"
            complaint.severity_rule = None
        if urgency:
            complaint.urgency = urgency
        if category is not None:
            complaint.category = category
        complaint.updated_at = now
        complaint.save(
            update_fields=["severity", "severity_source", "severity_rule", "urgency", "category", "updated_at"]
        )
        after = {
            "severity": complaint.severity,
            "urgency": complaint.urgency,
            "category": complaint.category.code if complaint.category else None,
        }
        record_event(
            complaint=complaint,
            kind="reclassified",
            actor=actor,
            at=now,
            note=reason,
            data={"before": before, "after": after},
        )
        # Staff corrections are the next classifier's labels (kesu/triage/intelligence.py).
        record_reclassification(complaint=complaint, before=before, after=after, actor=actor, now=now)
        # The deadlines depend on the grading: recomputed, old values kept in the timeline.
        deadlines_recompute(complaint=complaint, actor=actor, now=now, reason=reason)
        if became_major:
            notify_major(complaint=complaint, now=now)
            from kesu.incidents.services import incident_open_for_major  # DP-6: the checklist of its kind

            incident_open_for_major(complaint=complaint, now=now, actor=actor)
    return complaint
