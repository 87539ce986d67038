"""Deadline arithmetic on the Chinese working-day calendar.

Pure functions of their arguments: the calendar is passed in as a `WorkingCalendar`
snapshot and `now` is never read here. Units (SPEC §7):

- ``hours``: clock hours from receipt;
- ``business_hours``: hours inside the organisation's business hours on working days;
- ``working_days``: 23:59:59 local (or ``by_time``) on the Nth working day after the day
  of receipt; N = 0 means the day of receipt, or the next working day if it is not one;
- ``calendar_days``: likewise, counting every day.

A clock-time deadline ("by 15:30 on the Nth working day") that would fall due before the
complaint was received (received after the cut-off on the day that counts) rolls on to the
same time on the next working day (next day for calendar days) instead of being born overdue.

Pauses stop the clock: ``extend_for_pause`` moves a deadline on by the paused time
measured in the deadline's own unit (clock time, business time, or whole working or
calendar days crossed during the pause).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

HOURS = "hours"
BUSINESS_HOURS = "business_hours"
WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
UNITS = (HOURS, BUSINESS_HOURS, WORKING_DAYS, CALENDAR_DAYS)

END_OF_DAY = dt.time(23, 59, 59)
_ONE_DAY = dt.timedelta(days=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkingCalendar:
    """Official days off and make-up working days, and the years they are known for."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    covered_years: frozenset[int] = frozenset()
    tz: dt.tzinfo = SHANGHAI
    business_start: dt.time = dt.time(9, 0)
    business_end: dt.time = dt.time(18, 0)
    names: dict[dt.date, str] = field(default_factory=dict, compare=False, hash=False)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, year: int) -> bool:
        return year in self.covered_years

    def uncovered_years(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Years between two instants (local) for which only the Monday–Friday fallback is known."""
        first = start.astimezone(self.tz).year
        last = end.astimezone(self.tz).year
        return [year for year in range(first, last + 1) if year not in self.covered_years]


@dataclass(frozen=True)
class Rule:
    unit: str
    amount: int
    by_time: dt.time | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError("amount must not be negative")


@dataclass(frozen=True)
class Pause:
    start: dt.datetime
    end: dt.datetime


def _at(day: dt.date, time: dt.time, calendar: WorkingCalendar) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=calendar.tz)


def nth_working_day(day: dt.date, n: int, calendar: WorkingCalendar) -> dt.date:
    """The n-th working day after `day` (n = 0: `day` itself if it is a working day, else the next)."""
    if n == 0:
        while not calendar.is_working_day(day):
            day += _ONE_DAY
        return day
    counted = 0
    while counted < n:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return day


def compute_due(start: dt.datetime, rule: Rule, calendar: WorkingCalendar) -> dt.datetime:
    """When a deadline of `rule` started at `start` falls due (aware datetime)."""
    if rule.unit == HOURS:
        return start + dt.timedelta(hours=rule.amount)
    if rule.unit == BUSINESS_HOURS:
        return add_business_seconds(start, rule.amount * 3600, calendar)
    local_day = start.astimezone(calendar.tz).date()
    if rule.unit == WORKING_DAYS:
        day = nth_working_day(local_day, rule.amount, calendar)
    else:
        day = local_day + dt.timedelta(days=rule.amount)
    due = _at(day, rule.by_time or END_OF_DAY, calendar)
    if due <= start and rule.by_time is not None:
        # Received after the cut-off: the next working (or calendar) day's cut-off.
        day = nth_working_day(day, 1, calendar) if rule.unit == WORKING_DAYS else day + _ONE_DAY
        due = _at(day, rule.by_time, calendar)
    return due


def _business_window(day: dt.date, calendar: WorkingCalendar) -> tuple[dt.datetime, dt.datetime]:
    return _at(day, calendar.business_start, calendar), _at(day, calendar.business_end, calendar)


def add_business_seconds(start: dt.datetime, seconds: float, calendar: WorkingCalendar) -> dt.datetime:
    """`start` moved on by `seconds` of business time (business hours on working days)."""
    if calendar.business_end <= calendar.business_start:
        raise ValueError("business hours must end after they start")
    local = start.astimezone(calendar.tz)
    day = local.date()
    remaining = dt.timedelta(seconds=seconds)
    cursor = local
    while True:
        if calendar.is_working_day(day):
            opens, closes = _business_window(day, calendar)
            cursor = max(cursor, opens)
            if cursor < closes:
                available = closes - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
        day += _ONE_DAY
        cursor = _at(day, dt.time(0), calendar)


def business_seconds_between(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar) -> float:
    """Business time between two instants, in seconds (0 if `end` is not after `start`)."""
    if end <= start:
        return 0.0
    total = dt.timedelta()
    day = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    while day <= last:
        if calendar.is_working_day(day):
            opens, closes = _business_window(day, calendar)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        day += _ONE_DAY
    return total.total_seconds()


def counted_days_crossed(start: dt.datetime, end: dt.datetime, *, working: bool, calendar: WorkingCalendar) -> int:
    """Days after the local day of `start` up to the local day of `end` (working days only if `working`)."""
    first = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    if last <= first:
        return 0
    if not working:
        return (last - first).days
    count = 0
    day = first
    while day < last:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return count


def extend_for_pause(due: dt.datetime, pause: Pause, unit: str, calendar: WorkingCalendar) -> dt.datetime:
    """`due` moved on by the time `pause` stopped the clock. Pauses that begin after the
    deadline fell due do not move it (the deadline was already missed)."""
    if pause.end <= pause.start or pause.start >= due:
        return due
    if unit == HOURS:
        return due + (pause.end - pause.start)
    if unit == BUSINESS_HOURS:
        return add_business_seconds(due, business_seconds_between(pause.start, pause.end, calendar), calendar)
    local_due = due.astimezone(calendar.tz)
    if unit == WORKING_DAYS:
        days = counted_days_crossed(pause.start, pause.end, working=True, calendar=calendar)
        if days == 0:
            return due
        day = nth_working_day(local_due.date(), days, calendar)
    else:
        days = counted_days_crossed(pause.start, pause.end, working=False, calendar=calendar)
        day = local_due.date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, local_due.time(), tzinfo=calendar.tz)


def deadline(start: dt.datetime, rule: Rule, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()) -> dt.datetime:
    """`compute_due` with the clock stopped during each (closed) pause, taken in order; only
    the part of a pause after `start` counts."""
    due = compute_due(start, rule, calendar)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end > start:
            due = extend_for_pause(due, Pause(max(pause.start, start), pause.end), rule.unit, calendar)
    return due


def reminder_lead(
    *, now: dt.datetime, start: dt.datetime, due: dt.datetime, leads: Iterable[int], already: int | None
) -> int | None:
    """The reminder (lead in minutes) to send at `now`, if any: the shortest lead whose window
    has opened, shorter than any already sent, and shorter than the deadline's whole span."""
    if now >= due:
        return None
    span = due - start
    open_leads = [
        lead for lead in leads if dt.timedelta(minutes=lead) < span and due - dt.timedelta(minutes=lead) <= now
    ]
    if not open_leads:
        return None
    lead = min(open_leads)
    if already is not None and lead >= already:
        return None
    return lead


def next_reminder_at(
    *, start: dt.datetime, due: dt.datetime, leads: Iterable[int], already: int | None, after: dt.datetime
) -> dt.datetime | None:
    """When the next reminder window opens after `after`, if any."""
    span = due - start
    times = [
        due - dt.timedelta(minutes=lead)
        for lead in leads
        if dt.timedelta(minutes=lead) < span
        and (already is None or lead < already)
        and due - dt.timedelta(minutes=lead) > after
    ]
    return min(times) if times else None
