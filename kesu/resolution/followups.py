"""Follow-up visits 1–2 months after resolution for the complaints that need them (SPEC FU-3)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import FRONT_DESK
from kesu.complaints.events import record_event
from kesu.complaints.models import Status
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kesu.resolution.common import require_roles
from kesu.resolution.models import ContactMethod, FollowUpStatus, FollowUpVisit

FOLLOW_UP_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_window(resolved_at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The earliest and latest day of a follow-up visit: 1 to 2 months after resolution (local)."""
    day = timezone.localtime(resolved_at).date()
    return add_months(day, 1), add_months(day, 2)


def follow_up_schedule(
    *,
    actor: User,
    number: str,
    scheduled_for: dt.date | None,
    method: str,
    assignee: User | None,
    purpose: str,
    now: dt.datetime,
) -> FollowUpVisit:
    """Schedule a visit 1–2 months after the resolution (a month after by default)."""
    refuse_read_only(actor)
    require_roles(actor, FRONT_DESK)
    if method not in ContactMethod.values:
        raise ValidationFailed(
            [
                FieldError(
                    "method",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(ContactMethod.values)},
                    "invalid_choice",
                )
            ]
        )
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.status not in FOLLOW_UP_STATUSES or complaint.resolved_at is None:
            raise Conflict(_("A follow-up visit is scheduled once the complaint is resolved."), code="invalid_state")
        earliest, latest = follow_up_window(complaint.resolved_at)
        day = scheduled_for or earliest
        if not earliest <= day <= latest:
            raise ValidationFailed(
                [
                    FieldError(
                        "scheduled_for",
                        _("Schedule the visit between %(earliest)s and %(latest)s (1–2 months after resolution).")
                        % {"earliest": earliest.isoformat(), "latest": latest.isoformat()},
                        "out_of_window",
                    )
                ]
            )
        visit = FollowUpVisit.objects.create(
            complaint=complaint,
            scheduled_for=day,
            method=method,
            assignee=assignee,
            purpose=purpose,
            scheduled_by=actor,
            scheduled_at=now,
        )
        record_event(
            complaint=complaint,
            kind="follow_up_scheduled",
            actor=actor,
            at=now,
            note=purpose,
            data={
                "visit": visit.pk,
                "scheduled_for": day.isoformat(),
                "method": method,
                "assignee": assignee.username if assignee else None,
            },
        )
    return visit


def follow_up_record(
    *,
    actor: User,
    number: str,
    visit_id: int,
    satisfied: bool | None,
    outcome: str,
    cancel: bool = False,
    now: dt.datetime,
) -> FollowUpVisit:
    """The visit's outcome (or its cancellation, with the reason)."""
    refuse_read_only(actor)
    require_roles(actor, FRONT_DESK)
    if not outcome.strip():
        field = "outcome"
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    _("Say what came of the visit.") if not cancel else _("Give the reason for cancelling the visit."),
                    "required",
                )
            ]
        )
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        visit = FollowUpVisit.objects.select_for_update().filter(complaint=complaint, pk=visit_id).first()
        if visit is None:
            raise NotFound(_("This complaint has no such follow-up visit."))
        if visit.status != FollowUpStatus.SCHEDULED:
            raise Conflict(_("This follow-up visit is no longer scheduled."), code="visit_closed")
        visit.status = FollowUpStatus.CANCELLED if cancel else FollowUpStatus.DONE
        visit.satisfied = None if cancel else satisfied
        visit.outcome, visit.done_by, visit.done_at = outcome.strip(), actor, now
        visit.save(update_fields=["status", "satisfied", "outcome", "done_by", "done_at"])
        record_event(
            complaint=complaint,
            kind="follow_up_cancelled" if cancel else "follow_up_done",
            actor=actor,
            at=now,
            note=visit.outcome,
            data={"visit": visit.pk, "satisfied": visit.satisfied},
        )
    return visit


def follow_ups(*, user: User, status: str | None = None, due_by: dt.date | None = None) -> QuerySet[FollowUpVisit]:
    """Follow-up visits of the complaints `user` can see, soonest first."""
    queryset = (
        FollowUpVisit.objects.filter(complaint__in=visible_complaints(user))
        .select_related("complaint", "assignee", "scheduled_by", "done_by")
        .order_by("scheduled_for", "id")
    )
    if status:
        queryset = queryset.filter(status=status)
    if due_by:
        queryset = queryset.filter(scheduled_for__lte=due_by)
    return queryset
