"""The calendar on real dates, and each unit, with the official 2026 schedule."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.deadlines import engine
from kesu.deadlines.engine import BUSINESS_HOURS, CALENDAR_DAYS, HOURS, WORKING_DAYS, Pause, Rule

from .conftest import at, end_of


def due(start: dt.datetime, unit: str, amount: int, cal: engine.WorkingCalendar, by: dt.time | None = None):
    return engine.compute_due(start, Rule(unit, amount, by), cal)


def test_spring_festival_2026_is_skipped_and_its_make_up_saturday_counts(cal):
    # Fri 13 Feb; Sat 14 Feb is a make-up working day; 15–23 Feb are the holiday.
    assert cal.is_working_day(dt.date(2026, 2, 14))
    assert not any(cal.is_working_day(dt.date(2026, 2, d)) for d in range(15, 24))
    assert due(at(2026, 2, 13, 10), WORKING_DAYS, 1, cal) == end_of(2026, 2, 14)
    assert due(at(2026, 2, 13, 10), WORKING_DAYS, 3, cal) == end_of(2026, 2, 25)


def test_make_up_saturday_after_spring_festival(cal):
    # Thu 26 Feb → Fri 27, Sat 28 (make-up working day), Mon 2 Mar.
    assert due(at(2026, 2, 26, 9), WORKING_DAYS, 3, cal) == end_of(2026, 3, 2)


def test_national_day_2026_with_make_up_sunday_and_saturday(cal):
    # Sun 20 Sep and Sat 10 Oct are working days; 1–7 Oct are the holiday.
    assert due(at(2026, 9, 18, 16), WORKING_DAYS, 1, cal) == end_of(2026, 9, 20)
    assert due(at(2026, 9, 30, 11), WORKING_DAYS, 1, cal) == end_of(2026, 10, 8)
    assert due(at(2026, 9, 30, 11), WORKING_DAYS, 3, cal) == end_of(2026, 10, 10)


def test_turn_of_the_year(cal):
    # New Year 2026: Thu 1 – Sat 3 Jan off, Sun 4 Jan a make-up working day.
    assert due(at(2025, 12, 31, 20), WORKING_DAYS, 1, cal) == end_of(2026, 1, 4)
    assert due(at(2025, 12, 31, 20), WORKING_DAYS, 3, cal) == end_of(2026, 1, 6)
    assert due(at(2025, 12, 31, 23, 30), CALENDAR_DAYS, 1, cal) == end_of(2026, 1, 1)


def test_the_day_of_receipt_is_local_not_utc(cal):
    # 2026-03-02 17:00 UTC is already Tue 3 Mar in Shanghai.
    start = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
    assert due(start, WORKING_DAYS, 1, cal) == end_of(2026, 3, 4)


def test_year_without_data_falls_back_to_monday_to_friday(cal):
    assert not cal.covers(2027)
    # Fri 1 Oct 2027 would surely be National Day; without data it counts as a working day.
    assert due(at(2027, 9, 30, 10), WORKING_DAYS, 1, cal) == end_of(2027, 10, 1)
    assert due(at(2027, 10, 1, 10), WORKING_DAYS, 1, cal) == end_of(2027, 10, 4)
    assert cal.uncovered_years(at(2026, 12, 30), at(2027, 1, 5)) == [2027]


def test_hours_are_clock_hours_even_over_a_holiday(cal):
    assert due(at(2026, 2, 16, 10), HOURS, 24, cal) == at(2026, 2, 17, 10)
    assert due(at(2026, 2, 16, 10), HOURS, 0, cal) == at(2026, 2, 16, 10)


def test_business_hours_skip_nights_holidays_and_use_make_up_days(cal):
    # Fri 13 Feb 17:00: one hour left that day, then Sat 14 Feb (make-up) from 09:00.
    assert due(at(2026, 2, 13, 17), BUSINESS_HOURS, 2, cal) == at(2026, 2, 14, 10)
    # Received before opening: the clock starts at 09:00.
    assert due(at(2026, 3, 2, 7, 30), BUSINESS_HOURS, 9, cal) == at(2026, 3, 2, 18)
    # Received on a holiday: the first business hour is on the first working day after it.
    assert due(at(2026, 10, 3, 12), BUSINESS_HOURS, 1, cal) == at(2026, 10, 8, 10)


def test_business_hours_follow_the_organisation(cal):
    import dataclasses

    short = dataclasses.replace(cal, business_start=dt.time(8, 30), business_end=dt.time(12, 0))
    assert due(at(2026, 3, 2, 11), BUSINESS_HOURS, 2, short) == at(2026, 3, 3, 9, 30)


def test_working_days_by_a_clock_time_and_same_day(cal):
    # A securities branch answers by 15:30 on the day of the complaint (N = 0).
    assert due(at(2026, 3, 2, 10), WORKING_DAYS, 0, cal, dt.time(15, 30)) == at(2026, 3, 2, 15, 30)
    # Received on a holiday: the same-day answer is due on the next working day.
    assert due(at(2026, 10, 2, 10), WORKING_DAYS, 0, cal, dt.time(15, 30)) == at(2026, 10, 8, 15, 30)
    assert due(at(2026, 3, 2, 10), WORKING_DAYS, 1, cal, dt.time(12, 0)) == at(2026, 3, 3, 12)


def test_calendar_days_count_every_day(cal):
    assert due(at(2026, 9, 30, 10), CALENDAR_DAYS, 15, cal) == end_of(2026, 10, 15)
    assert due(at(2026, 9, 30, 10), CALENDAR_DAYS, 20, cal) == end_of(2026, 10, 20)


@pytest.mark.parametrize(
    ("unit", "pause", "expected"),
    [
        # Clock hours: the paused time is added as it is.
        (HOURS, (at(2026, 3, 2, 12), at(2026, 3, 2, 15)), at(2026, 3, 3, 11)),
        # Business hours: only the business time inside the pause (Mon 17:00 → Tue 10:00 = 2 h).
        (BUSINESS_HOURS, (at(2026, 3, 2, 17), at(2026, 3, 3, 10)), at(2026, 3, 4, 12)),
        # Working days: working days crossed during the pause (Mon → Thu = 3).
        (WORKING_DAYS, (at(2026, 3, 2, 12), at(2026, 3, 5, 9)), end_of(2026, 3, 10)),
        # Calendar days: days crossed.
        (CALENDAR_DAYS, (at(2026, 3, 2, 12), at(2026, 3, 5, 9)), end_of(2026, 3, 20)),
    ],
)
def test_pauses_are_excluded_in_the_unit_of_the_deadline(cal, unit, pause, expected):
    amounts = {HOURS: 22, BUSINESS_HOURS: 18, WORKING_DAYS: 3, CALENDAR_DAYS: 15}
    start = at(2026, 3, 2, 10)
    rule = Rule(unit, amounts[unit])
    assert engine.deadline(start, rule, cal, [Pause(*pause)]) == expected


def test_a_pause_after_the_deadline_or_before_the_start_does_not_move_it(cal):
    start = at(2026, 3, 2, 10)
    rule = Rule(HOURS, 2)
    assert engine.deadline(start, rule, cal, [Pause(at(2026, 3, 2, 13), at(2026, 3, 2, 15))]) == at(2026, 3, 2, 12)
    assert engine.deadline(start, rule, cal, [Pause(at(2026, 3, 1, 13), at(2026, 3, 1, 15))]) == at(2026, 3, 2, 12)


def test_a_pause_over_a_holiday_costs_only_the_working_days_it_crossed(cal):
    # Tue 29 Sep + 3 working days = Wed 30 Sep, Thu 8 Oct, Fri 9 Oct. Paused 30 Sep → 8 Oct: the
    # holiday costs nothing, 8 Oct one working day, so the deadline moves to Sat 10 Oct (make-up day).
    start = at(2026, 9, 29, 10)
    assert engine.compute_due(start, Rule(WORKING_DAYS, 3), cal) == end_of(2026, 10, 9)
    paused = engine.deadline(start, Rule(WORKING_DAYS, 3), cal, [Pause(at(2026, 9, 30, 9), at(2026, 10, 8, 9))])
    assert paused == end_of(2026, 10, 10)


def test_reminder_lead_picks_the_shortest_open_window_once():
    start, due_ = at(2026, 3, 2, 10), at(2026, 3, 5, 10)
    leads = (1440, 120)
    assert engine.reminder_lead(now=at(2026, 3, 3, 10), start=start, due=due_, leads=leads, already=None) is None
    assert engine.reminder_lead(now=at(2026, 3, 4, 10), start=start, due=due_, leads=leads, already=None) == 1440
    assert engine.reminder_lead(now=at(2026, 3, 4, 11), start=start, due=due_, leads=leads, already=1440) is None
    assert engine.reminder_lead(now=at(2026, 3, 5, 9), start=start, due=due_, leads=leads, already=1440) == 120
    assert engine.reminder_lead(now=at(2026, 3, 5, 9), start=start, due=due_, leads=leads, already=None) == 120
    # A lead as long as the whole deadline never fires (a 2-hour deadline gets no "2 hours left").
    assert (
        engine.reminder_lead(now=at(2026, 3, 2, 10), start=start, due=at(2026, 3, 2, 12), leads=leads, already=None)
        is None
    )
