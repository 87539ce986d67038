"""Deadline arithmetic. Pure functions of their arguments; `now` is never read here."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import timezone


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    return start + dt.timedelta(hours=hours)


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):
        return day.weekday() < 5


def _end_of_day(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def end_of_nth_working_day(start: dt.datetime, n: int) -> dt.datetime:
    """23:59:59 local on the n-th working day after the local day of `start`."""
    day = timezone.localtime(start).date()
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return _end_of_day(day)


def end_of_nth_calendar_day(start: dt.datetime, n: int) -> dt.datetime:
    day = timezone.localtime(start).date() + dt.timedelta(days=n)
    return _end_of_day(day)
