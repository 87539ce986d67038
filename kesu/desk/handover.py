"""Shift handover (SPEC OP-2; seed 004 交接班制度: 接班人未到岗，交班人不得离台).

The outgoing agent writes the handover of their shift: the equipment state, the difficult
complaints still open (pre-filled from their queue) and staffing changes; the incoming agent
accepts it. Until then the outgoing agent's shift is not over (kesu/desk/roster.py `on_duty`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.audit.services import audit_record
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.desk.models import Handover, RosterEntry
from kesu.desk.roster import local_date
from kesu.notifications.services import notify_users

MAX_TEXT = 4000
CLOSED = (Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.INVALID)
LOOKBACK_DAYS = 7


def current_entry(*, user: User, now: dt.datetime) -> RosterEntry | None:
    """The shift `user` hands over: today's or their latest earlier one without an accepted handover."""
    today = local_date(now)
    return (
        RosterEntry.objects.filter(user=user, date__lte=today, date__gte=today - dt.timedelta(days=LOOKBACK_DAYS))
        .filter(Q(handover__isnull=True) | Q(handover__accepted_at__isnull=True))
        .select_related("shift", "team")
        .order_by("-date", "-shift__starts")
        .first()
    )


def next_on_roster(entry: RosterEntry) -> User | None:
    """Who takes over: the next shift of the same team (another person), the same day or later."""
    later = (
        RosterEntry.objects.filter(team_id=entry.team_id)
        .exclude(user_id=entry.user_id)
        .filter(Q(date=entry.date, shift__starts__gt=entry.shift.starts) | Q(date__gt=entry.date))
        .select_related("user")
        .order_by("date", "shift__starts", "user__username")
        .first()
    )
    return later.user if later else None


def difficult_open(user: User) -> QuerySet[Complaint]:
    """The open complaints in the outgoing agent's queue: overdue, escalated or major first."""
    return (
        visible_complaints(user)
        .filter(Q(assignee=user) | Q(recorded_by=user, assignee__isnull=True))
        .exclude(status__in=CLOSED)
        .order_by("-escalation_level", "close_due", "number")
    )


def prefill_difficult(user: User, limit: int = 10) -> tuple[str, list[str]]:
    rows = list(difficult_open(user)[:limit])
    lines = [f"{c.number} {c.title or c.description[:30]} ({c.get_status_display()})" for c in rows]
    return "\n".join(lines), [c.number for c in rows]


def _text(value: str, field: str, errors: list[FieldError], *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.append(FieldError(field, _("This field is required."), "required"))
    elif len(text) > MAX_TEXT:
        errors.append(FieldError(field, _("Write at most %(max)d characters.") % {"max": MAX_TEXT}, "too_long"))
    return text


def handover_write(
    *,
    actor: User,
    incoming: str,
    equipment: str,
    difficult: str,
    staffing: str,
    now: dt.datetime,
    complaints: list[str] | None = None,
) -> Handover:
    if actor.role != Role.AGENT and actor.role != Role.SUPERVISOR:
        raise PermissionDenied(_("Only the agent on duty writes the shift handover."))
    errors: list[FieldError] = []
    equipment = _text(equipment, "equipment", errors, required=True)
    difficult = _text(difficult, "difficult", errors)
    staffing = _text(staffing, "staffing", errors)
    taker = User.objects.filter(username=str(incoming or "").strip(), is_active=True).first()
    if not str(incoming or "").strip():
        errors.append(FieldError("incoming", _("Choose who takes over."), "required"))
    elif taker is None or taker.role not in (Role.AGENT, Role.SUPERVISOR):
        errors.append(FieldError("incoming", _("Unknown agent: %(ref)s.") % {"ref": str(incoming)[:40]}, "not_found"))
    elif taker.pk == actor.pk:
        errors.append(FieldError("incoming", _("Hand over to a colleague, not yourself."), "invalid"))
    entry = current_entry(user=actor, now=now)
    if entry is None:
        errors.append(FieldError(None, _("You have no shift to hand over."), "no_shift"))
    if errors:
        raise ValidationFailed(errors)
    assert entry is not None and taker is not None
    numbers = [n for n in (complaints or []) if n]
    linked = list(visible_complaints(actor).filter(number__in=numbers)) if numbers else []
    with transaction.atomic():
        existing = Handover.objects.select_for_update().filter(entry=entry).first()
        if existing is not None and existing.accepted_at is not None:
            raise Conflict(_("This shift was already handed over."), code="already_handed_over")
        handover = existing or Handover(entry=entry, outgoing=actor)
        handover.incoming = taker
        handover.equipment, handover.difficult, handover.staffing = equipment, difficult, staffing
        handover.written_at = now
        handover.search_text = " ".join([equipment, difficult, staffing, actor.username, taker.username]).lower()
        handover.save()
        handover.complaints.set(linked)
        audit_record(
            actor=actor,
            action="handover.written",
            object_type="handover",
            object_id=str(handover.pk),
            data={"incoming": taker.username, "date": entry.date.isoformat(), "shift": entry.shift.code},
            at=now,
        )
        notify_users(
            users=[taker],
            kind="handover",
            now=now,
            subject=_("Shift handover from %(name)s") % {"name": actor.get_full_name() or actor.username},
            body=_("Read and accept the handover on the handover page; until then %(name)s stays on duty.")
            % {"name": actor.get_full_name() or actor.username},
        )
    return handover


def handover_accept(*, actor: User, handover_id: int, now: dt.datetime) -> Handover:
    with transaction.atomic():
        handover = Handover.objects.select_for_update().filter(pk=handover_id).first()
        if handover is None:
            raise NotFound(_("No handover has this number."))
        if handover.incoming_id != actor.pk:
            raise PermissionDenied(_("Only the incoming agent accepts the handover."))
        if handover.accepted_at is not None:
            raise Conflict(_("This handover was already accepted."), code="already_accepted")
        handover.accepted_at = now
        handover.save(update_fields=["accepted_at"])
        audit_record(
            actor=actor, action="handover.accepted", object_type="handover", object_id=str(handover.pk), data={}, at=now
        )
    return handover


def shift_over(entry: RosterEntry) -> bool:
    handover = Handover.objects.filter(entry=entry).first()
    return handover is not None and handover.accepted_at is not None


def handover_log(*, user: User, q: str = "", limit: int = 100) -> list[Handover]:
    """The searchable log (staff of customer service; an agent sees the handovers they took part in)."""
    queryset = Handover.objects.select_related("outgoing", "incoming", "entry__shift", "entry__team")
    if user.role == Role.AGENT:
        queryset = queryset.filter(Q(outgoing=user) | Q(incoming=user) | Q(entry__team__members=user)).distinct()
    for term in q.lower().split()[:5]:
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.order_by("-written_at", "-id")[:limit])


def awaiting_me(user: User) -> list[Handover]:
    return list(
        Handover.objects.filter(incoming=user, accepted_at__isnull=True)
        .select_related("outgoing", "entry__shift")
        .order_by("written_at")
    )
