"""Validity rulings and staff appeals (SPEC IV-4, §7).

Supervisors and above rule a complaint valid (major, service, business, service error) or
invalid (the `rule_invalid` action, with one of the API.md reason codes), always with a
reason. A valid ruling is recorded without moving the status. The staff member whose handling
was judged may appeal within 7 days; a reviewer (supervisor or above, not the appellant)
answers within 1 working day, on the official calendar of the deadlines engine."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import SUPERVISORS
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.deadlines import engine
from kesu.deadlines.selectors import deadline_config
from kesu.notifications.services import notify_users
from kesu.resolution.common import require_roles
from kesu.resolution.models import Adjudication, Appeal, AppealDecision, Validity, ValidKind

APPEAL_WINDOW = dt.timedelta(days=7)
APPEAL_ANSWER_RULE = engine.Rule(engine.WORKING_DAYS, 1)


def adjudication_invalid(
    *, complaint: Complaint, actor: User, reason: str, note: str, now: dt.datetime
) -> Adjudication:
    """The record of an invalid ruling; called by the `rule_invalid` action inside its transaction."""
    return Adjudication.objects.create(
        complaint=complaint, validity=Validity.INVALID, kind=reason, reason=note, ruled_by=actor, ruled_at=now
    )


def adjudication_rule_valid(
    *, actor: User, number: str, kind: str, reason: str, staff: User | None, now: dt.datetime
) -> Adjudication:
    """Rule the complaint valid, naming the kind and the reason; the status does not change."""
    refuse_read_only(actor)
    require_roles(actor, SUPERVISORS, _("Only a supervisor or above may rule on a complaint's validity."))
    errors = []
    if kind not in ValidKind.values:
        errors.append(
            FieldError(
                "kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ValidKind.values)}, "invalid_choice"
            )
        )
    if not reason.strip():
        errors.append(FieldError("reason", _("Give the reason for the ruling."), "required"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.status in (Status.INVALID, Status.MERGED, Status.WITHDRAWN):
            raise Conflict(
                _("A complaint that was ruled invalid, merged or withdrawn cannot be ruled valid."),
                code="invalid_state",
            )
        ruling = Adjudication.objects.create(
            complaint=complaint,
            validity=Validity.VALID,
            kind=kind,
            reason=reason.strip(),
            staff=staff,
            ruled_by=actor,
            ruled_at=now,
        )
        record_event(
            complaint=complaint,
            kind="adjudicated",
            actor=actor,
            at=now,
            note=ruling.reason,
            data={
                "adjudication": ruling.pk,
                "validity": ruling.validity,
                "kind": kind,
                "staff": staff.username if staff else None,
            },
        )
    return ruling


def appeal_lodge(*, actor: User, number: str, adjudication_id: int, reason: str, now: dt.datetime) -> Appeal:
    """The judged staff member appeals the ruling within 7 days (409 after that)."""
    refuse_read_only(actor)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", _("Give the grounds of the appeal."), "required")])
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        ruling = Adjudication.objects.filter(complaint=complaint, pk=adjudication_id).first()
        if ruling is None:
            raise NotFound(_("This complaint has no such ruling."))
        if ruling.staff_id != actor.pk:
            raise PermissionDenied(
                _("Only the staff member whose handling was judged may appeal."), code="not_judged_staff"
            )
        if Appeal.objects.filter(adjudication=ruling).exists():
            raise Conflict(_("This ruling has already been appealed."), code="already_appealed")
        if now > ruling.ruled_at + APPEAL_WINDOW:
            raise Conflict(_("An appeal must be lodged within 7 days of the ruling."), code="appeal_too_late")
        answer_due = engine.compute_due(now, APPEAL_ANSWER_RULE, deadline_config().calendar)
        appeal = Appeal.objects.create(
            adjudication=ruling, appellant=actor, reason=reason.strip(), lodged_at=now, answer_due=answer_due
        )
        record_event(
            complaint=complaint,
            kind="appeal_lodged",
            actor=actor,
            at=now,
            note=appeal.reason,
            data={"adjudication": ruling.pk, "appeal": appeal.pk, "answer_due": answer_due.isoformat()},
        )
    return appeal


def appeal_answer(*, actor: User, number: str, appeal_id: int, decision: str, answer: str, now: dt.datetime) -> Appeal:
    """A reviewer (supervisor or above, not the appellant) upholds or overturns the ruling."""
    refuse_read_only(actor)
    require_roles(actor, SUPERVISORS, _("Only a supervisor or above may answer an appeal."))
    errors = []
    if decision not in AppealDecision.values:
        errors.append(
            FieldError(
                "decision",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(AppealDecision.values)},
                "invalid_choice",
            )
        )
    if not answer.strip():
        errors.append(FieldError("answer", _("Give the answer to the appeal."), "required"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        appeal = Appeal.objects.select_for_update().filter(adjudication__complaint=complaint, pk=appeal_id).first()
        if appeal is None:
            raise NotFound(_("This complaint has no such appeal."))
        if appeal.appellant_id == actor.pk:
            raise PermissionDenied(_("An appeal is answered by someone other than the appellant."), code="own_appeal")
        if appeal.answered_at is not None:
            raise Conflict(_("This appeal has already been answered."), code="already_answered")
        appeal.reviewer, appeal.decision, appeal.answer, appeal.answered_at = actor, decision, answer.strip(), now
        appeal.save(update_fields=["reviewer", "decision", "answer", "answered_at"])
        record_event(
            complaint=complaint,
            kind="appeal_answered",
            actor=actor,
            at=now,
            note=appeal.answer,
            data={"appeal": appeal.pk, "decision": decision, "on_time": now <= appeal.answer_due},
        )
    return appeal


def appeal_overdue(appeal: Appeal, now: dt.datetime) -> bool:
    """§7: an appeal still unanswered after its answer was due."""
    return appeal.answered_at is None and now > appeal.answer_due


# Who hears of an appeal left unanswered: the reviewers (supervisors) and the customer-service manager.
APPEAL_OVERDUE_ROLES = (Role.SUPERVISOR, Role.MANAGER)


def appeals_escalate_overdue(*, now: dt.datetime, limit: int = 500) -> int:
    """§7 (answered within 1 working day): an appeal unanswered past `answer_due` is escalated
    once, by the periodic sweep, to the supervisors and the customer-service managers (the
    appellant excepted), with its timeline event. Returns how many were escalated."""
    done = 0
    with transaction.atomic():
        appeals = list(
            Appeal.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(answered_at__isnull=True, escalated_at__isnull=True, answer_due__lt=now)
            .select_related("adjudication__complaint", "appellant")
            .order_by("answer_due", "id")[:limit]
        )
        if not appeals:
            return 0
        above = list(User.objects.filter(is_active=True, role__in=APPEAL_OVERDUE_ROLES).order_by("id"))
        for appeal in appeals:
            complaint = appeal.adjudication.complaint
            appeal.escalated_at = now
            appeal.save(update_fields=["escalated_at"])
            due = timezone.localtime(appeal.answer_due).strftime("%Y-%m-%d %H:%M")
            notify_users(
                users=[u for u in above if u.pk != appeal.appellant_id],
                kind="appeal_overdue",
                subject=_("Appeal on complaint %(number)s not answered in time") % {"number": complaint.number},
                body=_(
                    "%(appellant)s appealed the ruling on complaint %(number)s; the answer was due %(due)s "
                    "and has not been given."
                )
                % {"appellant": appeal.appellant.username, "number": complaint.number, "due": due},
                now=now,
                complaint=complaint,
            )
            record_event(
                complaint=complaint,
                kind="appeal_overdue",
                actor=None,
                at=now,
                data={
                    "appeal": appeal.pk,
                    "adjudication": appeal.adjudication_id,
                    "answer_due": timezone.localtime(appeal.answer_due).isoformat(),
                },
            )
            done += 1
    return done
