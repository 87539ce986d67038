"""Teams, shifts and the monthly duty roster (SPEC OP-1), and who is on duty now.

The roster follows the working-day calendar (kesu/deadlines): every working day of the month
(make-up working days 调休 included, official holidays and ordinary weekends left out) each shift
gets one member, rotating so that everyone works and rests in turn. A shift is over only when its
handover was accepted (OP-2, kesu/desk/handover.py): until then its agent is still on duty."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.accounts.permissions import MANAGERS, SUPERVISORS
from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed
from kesu.deadlines.selectors import deadline_config
from kesu.desk.models import RosterEntry, Shift, Team

COMPLAINT_DESK_TEAM = "complaint_desk"
# The teams of customer service (OP-1) and the shifts of the day, created by `desk_setup`.
DEFAULT_TEAMS = (
    ("order_desk", "订单组"),
    (COMPLAINT_DESK_TEAM, "投诉组"),
    ("general_service", "综合服务组"),
)
DEFAULT_SHIFTS = (
    ("early", "早班", dt.time(8, 0), dt.time(15, 0)),
    ("late", "晚班", dt.time(15, 0), dt.time(22, 0)),
)


def desk_setup() -> None:
    """The default teams (in customer service) and shifts; idempotent."""
    department = Department.objects.filter(code="customer_service").first()
    if department is None:
        return
    for code, name in DEFAULT_TEAMS:
        Team.objects.get_or_create(
            code=code,
            defaults={"name": name, "department": department, "takes_complaints": code == COMPLAINT_DESK_TEAM},
        )
    for code, name, starts, ends in DEFAULT_SHIFTS:
        Shift.objects.get_or_create(code=code, defaults={"name": name, "starts": starts, "ends": ends})


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def shift_bounds(entry: RosterEntry) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(entry.date, entry.shift.starts, tzinfo=tz)
    end = dt.datetime.combine(entry.date, entry.shift.ends, tzinfo=tz)
    return start, end


def working_days(year: int, month: int) -> list[dt.date]:
    days = month_calendar.monthrange(year, month)[1]
    work = deadline_config().calendar
    return [d for d in (dt.date(year, month, n) for n in range(1, days + 1)) if work.is_working_day(d)]


def is_public_holiday(day: dt.date) -> bool:
    return day in deadline_config().calendar.holidays


def may_plan_roster(user: User) -> bool:
    return user.role in SUPERVISORS


def roster_generate(*, actor: User | None, team: Team, year: int, month: int, now: dt.datetime) -> int:
    """Draw up the team's roster for a month (replacing the entries not yet worked or swapped).
    Returns the number of entries written."""
    if actor is not None and not may_plan_roster(actor):
        raise PermissionDenied(_("Only supervisors and managers plan the duty roster."))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationFailed([FieldError("month", _("Choose a month."), "invalid")])
    members = list(team.members.filter(is_active=True, role=Role.AGENT).order_by("username"))
    shifts = list(Shift.objects.order_by("starts"))
    if not members or not shifts:
        raise ValidationFailed([FieldError("team", _("The team has no agents or there are no shifts."), "empty")])
    today = local_date(now)
    days = [d for d in working_days(year, month) if d >= today]
    slots = len(shifts) + (1 if len(members) > len(shifts) else 0)
    written = 0
    with transaction.atomic():
        # Entries swapped or already handed over stay; the rest of the month is drawn again.
        RosterEntry.objects.filter(team=team, date__in=days, swap__isnull=True, handover__isnull=True).delete()
        taken = set(RosterEntry.objects.filter(date__in=days).values_list("user_id", "date"))
        rows = []
        for index, day in enumerate(working_days(year, month)):
            if day not in days:
                continue
            for position, member in enumerate(members):
                slot = (index + position) % slots
                if slot >= len(shifts) or (member.pk, day) in taken:
                    continue
                rows.append(RosterEntry(team=team, user=member, date=day, shift=shifts[slot]))
        RosterEntry.objects.bulk_create(rows)
        written = len(rows)
        audit_record(
            actor=actor,
            action="roster.generated",
            object_type="team",
            object_id=team.code,
            data={"month": f"{year:04d}-{month:02d}", "entries": written},
            at=now,
        )
    return written


def roster_month(*, team: Team, year: int, month: int) -> QuerySet[RosterEntry]:
    last = month_calendar.monthrange(year, month)[1]
    return (
        RosterEntry.objects.filter(team=team, date__gte=dt.date(year, month, 1), date__lte=dt.date(year, month, last))
        .select_related("user", "shift")
        .order_by("date", "shift__starts", "user__username")
    )


@dataclass(frozen=True)
class Duty:
    entry: RosterEntry
    held_over: bool  # the shift's time is past but its handover is not accepted yet


def on_duty(*, team: Team, now: dt.datetime) -> list[Duty]:
    """Who is on duty in `team` at `now`: the agents whose shift covers `now`, and those whose
    shift ended today but whose handover was not accepted yet (they stay at their desk, OP-2)."""
    today = local_date(now)
    entries = list(
        RosterEntry.objects.filter(team=team, date=today)
        .select_related("user", "shift", "handover")
        .order_by("shift__starts", "user__username")
    )
    duties: list[Duty] = []
    for entry in entries:
        start, end = shift_bounds(entry)
        accepted = getattr(entry, "handover", None) is not None and entry.handover.accepted_at is not None
        if start <= now < end and not accepted:
            duties.append(Duty(entry, held_over=False))
        elif now >= end and not accepted:
            duties.append(Duty(entry, held_over=True))
    return duties


def agent_on_duty(*, now: dt.datetime, prefer: User | None = None) -> User | None:
    """Routing (OP-1, IN-6): the agent of the complaint desk on duty at `now` (the person taking the
    complaint if they are on duty themselves); None when nobody is rostered."""
    team = Team.objects.filter(takes_complaints=True).order_by("code").first()
    if team is None:
        return None
    duties = on_duty(team=team, now=now)
    if not duties:
        return None
    current = [d for d in duties if not d.held_over] or duties
    if prefer is not None:
        for duty in current:
            if duty.entry.user_id == prefer.pk:
                return duty.entry.user
    return current[0].entry.user


def team_of(user: User) -> Team | None:
    return Team.objects.filter(members=user).order_by("code").first()


def may_manage_desk(user: User) -> bool:
    return user.role in MANAGERS
