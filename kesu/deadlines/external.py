"""A deadline someone outside sets: a regulator's referral, a complaint platform's reply time.

The due instant is given (absolute), not computed from a policy, and it stays when the
complaint's policies are recomputed (kesu.deadlines.services.deadlines_recompute leaves rows
whose basis carries `external`). The change is recorded in the timeline like any other."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.deadlines import engine
from kesu.deadlines.models import ComplaintDeadline, DeadlineState
from kesu.deadlines.selectors import deadline_config
from kesu.deadlines.services import _mirror, _save_complaint, next_check_at


def deadline_set_external(
    *,
    complaint: Complaint,
    kind: str,
    due_at: dt.datetime,
    source: str,
    reference: str,
    actor: User | None,
    now: dt.datetime,
) -> ComplaintDeadline:
    """Set the complaint's `kind` deadline (acknowledge, reply, close…) to `due_at`."""
    config = deadline_config()
    with transaction.atomic():
        row = ComplaintDeadline.objects.select_for_update().filter(complaint_id=complaint.pk, kind=kind).first()
        previous = row.due_at if row is not None else None
        if row is None:
            row = ComplaintDeadline(complaint=complaint, kind=kind, started_at=complaint.received_at, created_at=now)
        hours = max(1, int((due_at - row.started_at).total_seconds() // 3600)) if due_at > row.started_at else 1
        row.unit, row.amount, row.by_time = engine.HOURS, min(hours, 10000), None
        row.due_at = due_at
        row.state = DeadlineState.OPEN if row.state != DeadlineState.MET else row.state
        row.basis = {
            **(row.basis or {}),
            "external": {"source": source, "reference": reference, "due": timezone.localtime(due_at).isoformat()},
        }
        if row.missed_at is not None and now <= due_at:
            row.missed_at, row.on_time = None, None
        row.reminded_lead, row.updated_at = None, now
        row.next_check_at = next_check_at(row, config.reminder_leads, now)
        row.save()
        _save_complaint(complaint, _mirror(complaint, [row]))
        record_event(
            complaint=complaint,
            kind="deadline_set_externally",
            actor=actor,
            at=now,
            data={
                "deadline": kind,
                "source": source,
                "reference": reference,
                "from": timezone.localtime(previous).isoformat() if previous else None,
                "to": timezone.localtime(due_at).isoformat(),
            },
        )
    return row
