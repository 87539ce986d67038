"""Writes of the supervision team (SPEC SV-1, SV-2): CAPAs and their verification, overdue
CAPA escalation, seeded samples of closed complaints and their quality reviews.

Every write takes the acting user and `now`, happens in one transaction with its history row
and audit record, and writes nothing when refused. Notifications go to the outbox.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import MANAGERS, STAFF_ROLES, SUPERVISORS
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.access import refuse_read_only
from kesu.core import tasks
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.services import notify_users
from kesu.supervision.models import CapaEvent, CapaStatus, CorrectiveAction, QualityReview, SampleRun

QUALITY_DEPARTMENT = "quality"
MAX_TEXT = 4000
MAX_COMPLAINTS_PER_CAPA = 50
MAX_SAMPLE_SIZE = 500
# An overdue CAPA goes to the owner's manager at once and to the GM after this much longer.
CAPA_SECOND_ESCALATION_AFTER = dt.timedelta(days=3)
CAPA_MAX_ESCALATION_LEVEL = 2


# --- who may do what ------------------------------------------------------------------------


def in_quality_department(user: User) -> bool:
    return user.role in STAFF_ROLES and user.department is not None and user.department.code == QUALITY_DEPARTMENT


def may_verify(user: User) -> bool:
    """SV-2: the quality department or a manager and above verifies a CAPA's effect."""
    return user.role in MANAGERS or in_quality_department(user)


def may_supervise(user: User) -> bool:
    """SV-1: the supervision team — the quality department and managers and above."""
    return user.role in MANAGERS or in_quality_department(user)


def may_create_capa(user: User) -> bool:
    return user.role in SUPERVISORS or in_quality_department(user)


def _require_staff(actor: User) -> None:
    refuse_read_only(actor)


def _text(
    value: str | None, field: str, errors: list[FieldError], *, required: bool = False, max_length: int = MAX_TEXT
) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.append(FieldError(field, _("This field is required."), "required"))
    elif len(text) > max_length:
        errors.append(
            FieldError(
                field,
                _("Enter at most %(max)d characters (it has %(length)d).") % {"max": max_length, "length": len(text)},
                "max_length",
            )
        )
    return text


def _history(
    capa: CorrectiveAction,
    *,
    kind: str,
    actor: User | None,
    now: dt.datetime,
    note: str = "",
    data: dict[str, object] | None = None,
) -> CapaEvent:
    payload = data or {}
    event = CapaEvent.objects.create(capa=capa, kind=kind, actor=actor, at=now, note=note, data=payload)
    audit_record(
        actor=actor,
        action=f"capa.{kind}",
        object_type="capa",
        object_id=str(capa.pk),
        data={"note": note, "status": capa.status, **payload},
        at=now,
    )
    return event


def _locked_capa(capa_id: int) -> CorrectiveAction:
    capa = CorrectiveAction.objects.select_for_update().select_related("owner").filter(pk=capa_id).first()
    if capa is None:
        raise NotFound(_("No CAPA has this number."))
    return capa


# --- CAPA (SV-2) ----------------------------------------------------------------------------


def capa_create(
    *,
    actor: User,
    complaints: Sequence[str],
    title: str,
    actions: str,
    owner: str,
    due: dt.datetime | None,
    now: dt.datetime,
    nonconformity: str = "",
    root_cause: str = "",
    without_complaints: bool = False,
) -> CorrectiveAction:
    """Open a CAPA for one or many complaints, owned by `owner` (a username) and due at `due`.
    `without_complaints`: opened from findings that concern no single complaint (FU-5 panels and
    surveys, kesu/desk/voice.py)."""
    _require_staff(actor)
    if not may_create_capa(actor):
        raise PermissionDenied(_("Only supervisors, managers and the quality department open CAPAs."))
    errors: list[FieldError] = []
    title = _text(title, "title", errors, required=True, max_length=200)
    actions = _text(actions, "actions", errors, required=True)
    nonconformity = _text(nonconformity, "nonconformity", errors)
    root_cause = _text(root_cause, "root_cause", errors)
    numbers = list(dict.fromkeys(str(n).strip() for n in complaints if str(n).strip()))
    found: list[Complaint] = []
    if not numbers and without_complaints:
        pass
    elif not numbers:
        errors.append(FieldError("complaints", _("Link at least one complaint."), "required"))
    elif len(numbers) > MAX_COMPLAINTS_PER_CAPA:
        errors.append(
            FieldError(
                "complaints", _("Link at most %(max)d complaints.") % {"max": MAX_COMPLAINTS_PER_CAPA}, "too_many"
            )
        )
    else:
        by_number = {c.number: c for c in visible_complaints(actor).filter(number__in=numbers)}
        for index, number in enumerate(numbers):
            if number not in by_number:
                errors.append(FieldError(f"complaints[{index}]", _("No complaint has this number."), "not_found"))
        found = [by_number[n] for n in numbers if n in by_number]
    owner_user = User.objects.select_related("department").filter(username=owner, is_active=True).first()
    if not str(owner or "").strip():
        errors.append(FieldError("owner", _("Choose the owner."), "required"))
    elif owner_user is None:
        errors.append(FieldError("owner", _("Unknown user: %(ref)s.") % {"ref": owner}, "not_found"))
    elif owner_user.role not in STAFF_ROLES:
        errors.append(FieldError("owner", _("An auditor cannot own a CAPA."), "invalid"))
    if due is None:
        errors.append(FieldError("due_at", _("Give the due date."), "required"))
    elif due <= now:
        errors.append(FieldError("due_at", _("Give a due date in the future."), "invalid"))
    if errors:
        raise ValidationFailed(errors)
    assert owner_user is not None and due is not None
    with transaction.atomic():
        capa = CorrectiveAction.objects.create(
            title=title,
            nonconformity=nonconformity,
            root_cause=root_cause,
            actions=actions,
            owner=owner_user,
            department=owner_user.department,
            due_at=due,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        capa.complaints.set(found)
        _history(
            capa,
            kind="created",
            actor=actor,
            now=now,
            data={"complaints": numbers, "owner": owner_user.username, "due_at": due.isoformat()},
        )
        for complaint in found:
            record_event(
                complaint=complaint, kind="capa_linked", actor=actor, at=now, note=title, data={"capa": capa.pk}
            )
        if owner_user.pk != actor.pk:
            notify_users(
                users=[owner_user],
                kind="capa_assigned",
                now=now,
                subject=_("CAPA %(id)s assigned to you") % {"id": capa.pk},
                body=_("You own the corrective and preventive action “%(title)s”, due %(due)s.")
                % {"title": title, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
            )
    return capa


def capa_complete(*, actor: User, capa_id: int, note: str, now: dt.datetime) -> CorrectiveAction:
    """The owner (or a manager) reports the actions done; the CAPA then awaits verification."""
    _require_staff(actor)
    errors: list[FieldError] = []
    note = _text(note, "note", errors, required=True)
    with transaction.atomic():
        capa = _locked_capa(capa_id)
        if actor.pk != capa.owner_id and actor.role not in MANAGERS:
            raise PermissionDenied(_("Only the CAPA's owner or a manager reports it completed."))
        if capa.status != CapaStatus.OPEN:
            raise Conflict(
                _("The CAPA is %(status)s; only an open CAPA can be completed.")
                % {"status": capa.get_status_display()},
                code="invalid_state",
            )
        if errors:
            raise ValidationFailed(errors)
        capa.status, capa.completed_at, capa.completion_note, capa.updated_at = CapaStatus.COMPLETED, now, note, now
        capa.save(update_fields=["status", "completed_at", "completion_note", "updated_at"])
        _history(capa, kind="completed", actor=actor, now=now, note=note)
    return capa


def capa_verify(
    *, actor: User, capa_id: int, effective: bool, note: str, now: dt.datetime, new_due: dt.datetime | None = None
) -> CorrectiveAction:
    """SV-2: verification of effect by the quality department or a manager and above, never by
    the owner. Effective → verified; not effective → open again with a new due date."""
    _require_staff(actor)
    if not may_verify(actor):
        raise PermissionDenied(_("Only the quality department or a manager verifies a CAPA."), code="not_quality")
    errors: list[FieldError] = []
    note = _text(note, "note", errors, required=True)
    if not effective and new_due is None:
        errors.append(FieldError("due_at", _("Give a new due date for the actions to be taken again."), "required"))
    elif not effective and new_due is not None and new_due <= now:
        errors.append(FieldError("due_at", _("Give a due date in the future."), "invalid"))
    with transaction.atomic():
        capa = _locked_capa(capa_id)
        if capa.owner_id == actor.pk:
            raise PermissionDenied(_("The owner of a CAPA does not verify it."), code="not_own_work")
        if capa.status != CapaStatus.COMPLETED:
            raise Conflict(
                _("The CAPA is %(status)s; only a completed CAPA can be verified.")
                % {"status": capa.get_status_display()},
                code="invalid_state",
            )
        if errors:
            raise ValidationFailed(errors)
        capa.verified_by, capa.verified_at, capa.verification_note = actor, now, note
        capa.verifications += 1
        capa.updated_at = now
        if effective:
            capa.status, capa.overdue = CapaStatus.VERIFIED, False
        else:
            assert new_due is not None
            capa.status, capa.due_at, capa.completed_at = CapaStatus.OPEN, new_due, None
            capa.overdue, capa.escalation_level = False, 0
        capa.save()
        _history(
            capa,
            kind="verified" if effective else "reopened",
            actor=actor,
            now=now,
            note=note,
            data={"effective": effective, **({"due_at": new_due.isoformat()} if new_due and not effective else {})},
        )
        if not effective:
            notify_users(
                users=[capa.owner],
                kind="capa_reopened",
                now=now,
                subject=_("CAPA %(id)s was not effective") % {"id": capa.pk},
                body=_("The verification found the actions of “%(title)s” not effective: %(note)s")
                % {"title": capa.title, "note": note},
            )
    return capa


def _owners_managers(capa: CorrectiveAction) -> list[User]:
    managers = User.objects.filter(is_active=True, role=Role.MANAGER)
    mine = list(managers.filter(department_id=capa.department_id).order_by("id")) if capa.department_id else []
    if mine:
        return mine
    return list(managers.filter(Q(department__code="customer_service") | Q(department__isnull=True)).order_by("id"))


def _escalation_recipients(capa: CorrectiveAction, level: int) -> list[User]:
    if level == 1:
        recipients = _owners_managers(capa)
    else:
        from kesu.deadlines.escalation import MAJOR_LEVEL, ladder_recipients

        recipients = ladder_recipients(MAJOR_LEVEL)  # the supervision team / GM rung of DP-4
    seen = {user.pk for user in recipients}
    if capa.owner_id not in seen:
        recipients.append(capa.owner)
    return recipients


def capa_target_level(capa: CorrectiveAction, now: dt.datetime) -> int:
    if capa.status != CapaStatus.OPEN or now <= capa.due_at:
        return 0
    return 1 if now - capa.due_at < CAPA_SECOND_ESCALATION_AFTER else CAPA_MAX_ESCALATION_LEVEL


def capa_escalate_overdue(*, now: dt.datetime, limit: int = 500) -> int:
    """Mark open CAPAs past their due date overdue and escalate them like complaints (DP-4):
    the owner's manager at once, the GM after CAPA_SECOND_ESCALATION_AFTER; once per level."""
    escalated = 0
    candidates = list(
        CorrectiveAction.objects.filter(
            status=CapaStatus.OPEN, due_at__lt=now, escalation_level__lt=CAPA_MAX_ESCALATION_LEVEL
        )
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for capa_id in candidates:
        with transaction.atomic():
            capa = (
                CorrectiveAction.objects.select_for_update(skip_locked=tasks.can_skip_locked())
                .select_related("owner")
                .filter(pk=capa_id)
                .first()
            )
            if capa is None:
                continue
            level = capa_target_level(capa, now)
            if level <= capa.escalation_level:
                continue
            before = capa.escalation_level
            capa.escalation_level, capa.overdue, capa.updated_at = level, True, now
            capa.save(update_fields=["escalation_level", "overdue", "updated_at"])
            recipients = _escalation_recipients(capa, level)
            _history(
                capa,
                kind="escalated",
                actor=None,
                now=now,
                data={"from_level": before, "to_level": level, "notified": [user.username for user in recipients]},
            )
            notify_users(
                users=recipients,
                kind="capa_escalated",
                now=now,
                subject=_("CAPA %(id)s is overdue (level %(level)d)") % {"id": capa.pk, "level": level},
                body=_(
                    "The corrective and preventive action “%(title)s” owned by %(owner)s was due "
                    "%(due)s and is not completed."
                )
                % {
                    "title": capa.title,
                    "owner": capa.owner.username,
                    "due": timezone.localtime(capa.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            escalated += 1
    return escalated


# --- samples and quality reviews (SV-1) -----------------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def default_seed(period_start: dt.date, period_end: dt.date) -> int:
    """The same period draws the same sample unless a seed is given."""
    return int(f"{period_start:%Y%m%d}{period_end:%Y%m%d}")


def sample_candidates(period_start: dt.date, period_end: dt.date) -> list[int]:
    return list(
        Complaint.objects.filter(
            status=Status.CLOSED,
            closed_at__gte=_local_midnight(period_start),
            closed_at__lt=_local_midnight(period_end + dt.timedelta(days=1)),
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def sample_draw(
    *, actor: User, period_start: dt.date, period_end: dt.date, size: int, now: dt.datetime, seed: int | None = None
) -> SampleRun:
    """Draw a reproducible random sample of the complaints closed in the period (local dates,
    both inclusive): the same candidates and seed always give the same complaints."""
    _require_staff(actor)
    if not may_supervise(actor):
        raise PermissionDenied(_("Only the supervision team draws review samples."))
    errors: list[FieldError] = []
    if period_end < period_start:
        errors.append(FieldError("period_end", _("The period ends before it starts."), "invalid"))
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        errors.append(
            FieldError("size", _("Give a sample size from 1 to %(max)d.") % {"max": MAX_SAMPLE_SIZE}, "invalid")
        )
    if seed is not None and not 0 <= seed < 2**63:
        errors.append(FieldError("seed", _("Give a seed from 0 to 2^63 - 1."), "invalid"))
    if errors:
        raise ValidationFailed(errors)
    seed = default_seed(period_start, period_end) if seed is None else seed
    with transaction.atomic():
        if SampleRun.objects.filter(period_start=period_start, period_end=period_end).exists():
            raise Conflict(_("A sample has already been drawn for this period."), code="already_drawn")
        candidates = sample_candidates(period_start, period_end)
        if not candidates:
            raise Conflict(_("No complaint was closed in this period."), code="empty_period")
        # A seeded, reproducible draw (not a secret): the same period and seed give the same sample.
        chosen = sorted(random.Random(seed).sample(candidates, min(size, len(candidates))))
        run = SampleRun.objects.create(
            period_start=period_start,
            period_end=period_end,
            size=size,
            seed=seed,
            population=len(candidates),
            drawn_by=actor,
            drawn_at=now,
        )
        departments = dict(Complaint.objects.filter(id__in=chosen).values_list("id", "department_id"))
        QualityReview.objects.bulk_create(
            [QualityReview(run=run, complaint_id=cid, department_id=departments.get(cid)) for cid in chosen]
        )
        audit_record(
            actor=actor,
            action="supervision.sample_drawn",
            object_type="sample_run",
            object_id=str(run.pk),
            data={
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "size": size,
                "seed": seed,
                "population": len(candidates),
                "complaints": list(
                    Complaint.objects.filter(id__in=chosen).order_by("id").values_list("number", flat=True)
                ),
            },
            at=now,
        )
    return run


def review_record(*, actor: User, review_id: int, score: int, findings: str, now: dt.datetime) -> QualityReview:
    """Score (0-100) and findings for one sampled complaint; once, and not by its own handler."""
    _require_staff(actor)
    if not may_supervise(actor):
        raise PermissionDenied(_("Only the supervision team reviews complaints."))
    errors: list[FieldError] = []
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        errors.append(FieldError("score", _("Give a score from 0 to 100."), "invalid"))
    findings = _text(findings, "findings", errors, required=True)
    with transaction.atomic():
        review = QualityReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise NotFound(_("No review has this number."))
        complaint = Complaint.objects.get(pk=review.complaint_id)
        if review.reviewed_at is not None:
            raise Conflict(_("This complaint has already been reviewed in this sample."), code="already_reviewed")
        if actor.pk in (complaint.assignee_id, complaint.recorded_by_id):
            raise PermissionDenied(_("Nobody reviews a complaint they handled."), code="not_own_work")
        if errors:
            raise ValidationFailed(errors)
        review.reviewer, review.score, review.findings, review.reviewed_at = actor, score, findings, now
        review.save(update_fields=["reviewer", "score", "findings", "reviewed_at"])
        record_event(
            complaint=complaint,
            kind="quality_reviewed",
            actor=actor,
            at=now,
            note=findings,
            data={"sample": review.run_id, "review": review.pk, "score": score},
        )
    return review
