"""Violations reported to internal audit (SPEC §7, seed 000 insurer): a violation of rules or law
that the handling of a complaint brings to light is reported to internal audit within 3 working
days of being found. Finding it opens the `internal_audit_report` deadline (escalating when
missed, like every deadline); recording the report meets it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import SUPERVISORS
from kesu.complaints.events import record_event
from kesu.complaints.services.access import complaint_for_action
from kesu.core.clock import iso_utc
from kesu.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from kesu.deadlines import engine
from kesu.deadlines.models import ComplaintDeadline
from kesu.deadlines.policies import INTERNAL_AUDIT_REPORT, INTERNAL_AUDIT_REPORT_RULE
from kesu.deadlines.selectors import deadline_config
from kesu.deadlines.services import deadline_meet, deadline_track

MAX_TEXT = 2000


def may_record_violation(user: User) -> bool:
    return user.role in SUPERVISORS


def _text(value: Any, field: str, errors: list[FieldError], *, required: bool, limit: int = MAX_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors.append(FieldError(field, _("This field is required."), "required"))
    elif len(text) > limit:
        errors.append(FieldError(field, _("At most %(n)s characters.") % {"n": limit}, "too_long"))
    return text


def violation_found(*, actor: User, number: str, note: Any, now: dt.datetime) -> ComplaintDeadline:
    """Record that the complaint revealed a violation (what it was) and start the 3-working-day
    clock of the report to internal audit. Supervisors and above; once per complaint."""
    if not may_record_violation(actor):
        raise PermissionDenied(_("Only a supervisor or above records a violation for internal audit."))
    errors: list[FieldError] = []
    text = _text(note, "note", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if ComplaintDeadline.objects.filter(complaint_id=complaint.pk, kind=INTERNAL_AUDIT_REPORT).exists():
            raise Conflict(_("A violation is already recorded on this complaint."))
        due = engine.compute_due(now, INTERNAL_AUDIT_REPORT_RULE, deadline_config().calendar)
        row = deadline_track(
            complaint=complaint,
            kind=INTERNAL_AUDIT_REPORT,
            started_at=now,
            due_at=due,
            unit=INTERNAL_AUDIT_REPORT_RULE.unit,
            amount=INTERNAL_AUDIT_REPORT_RULE.amount,
            source={"source": "violation"},
            now=now,
        )
        record_event(
            complaint=complaint, kind="violation_found", actor=actor, at=now, note=text, data={"due": iso_utc(due)}
        )
    return row


def internal_audit_reported(
    *, actor: User, number: str, reference: Any, note: Any, now: dt.datetime
) -> ComplaintDeadline:
    """Record the report to internal audit (its reference, e.g. the memo number), meeting the
    deadline; late reports are recorded too, as late."""
    if not may_record_violation(actor):
        raise PermissionDenied(_("Only a supervisor or above records a violation for internal audit."))
    errors: list[FieldError] = []
    ref = _text(reference, "reference", errors, required=True, limit=100)
    text = _text(note, "note", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = ComplaintDeadline.objects.filter(complaint_id=complaint.pk, kind=INTERNAL_AUDIT_REPORT).first()
        if row is None:
            raise Conflict(_("No violation is recorded on this complaint."))
        if row.met_at is not None:
            raise Conflict(_("The violation has already been reported to internal audit."))
        met = deadline_meet(complaint=complaint, kind=INTERNAL_AUDIT_REPORT, now=now)
        if met is None:  # the clock was cancelled (not open): record the report all the same
            raise Conflict(_("No violation is recorded on this complaint."))
        record_event(
            complaint=complaint,
            kind="internal_audit_reported",
            actor=actor,
            at=now,
            note=text,
            data={"reference": ref, "on_time": met.on_time},
        )
    return met
