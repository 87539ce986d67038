"""Properties of the deadline maths over the official calendar and beyond its years."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.deadlines import engine
from kesu.deadlines.engine import UNITS, Pause, Rule

from .conftest import PACKAGE_CALENDAR, SH

instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(SH))
amounts = st.integers(min_value=0, max_value=60)
units = st.sampled_from(UNITS)
times = st.none() | st.times().map(lambda t: t.replace(microsecond=0))


@settings(max_examples=150, deadline=None)
@given(start=instants, unit=units, amount=amounts, by_time=times)
def test_a_deadline_never_precedes_receipt(start, unit, amount, by_time):
    # A same-day clock time may be earlier than the time of receipt (15:30 for a complaint at 16:00):
    # that is the policy's choice; without one, a deadline never precedes receipt.
    rule = Rule(unit, amount, None if unit in (engine.HOURS, engine.BUSINESS_HOURS) or amount == 0 else by_time)
    assert engine.compute_due(start, rule, PACKAGE_CALENDAR) >= start


@settings(max_examples=500, deadline=None)
@given(start=instants, unit=units, amount=amounts, more=st.integers(min_value=1, max_value=30))
def test_more_days_never_end_earlier(start, unit, amount, more):
    earlier = engine.compute_due(start, Rule(unit, amount), PACKAGE_CALENDAR)
    later = engine.compute_due(start, Rule(unit, amount + more), PACKAGE_CALENDAR)
    if amount == 0:
        # "0 working days" received on a holiday ends with the next working day, as does "1".
        assert later >= earlier
    else:
        assert later > earlier


@settings(max_examples=100, deadline=None)
@given(
    start=instants,
    unit=units,
    amount=st.integers(min_value=1, max_value=30),
    offset=st.integers(min_value=0, max_value=30 * 24 * 60),
    length=st.integers(min_value=1, max_value=20 * 24 * 60),
)
def test_a_pause_never_brings_a_deadline_forward(start, unit, amount, offset, length):
    rule = Rule(unit, amount)
    pause_start = start + dt.timedelta(minutes=offset)
    pause = Pause(pause_start, pause_start + dt.timedelta(minutes=length))
    assert engine.deadline(start, rule, PACKAGE_CALENDAR, [pause]) >= engine.compute_due(start, rule, PACKAGE_CALENDAR)


@settings(max_examples=100, deadline=None)
@given(start=instants, amount=st.integers(min_value=1, max_value=20))
def test_working_day_deadlines_end_on_a_working_day(start, amount):
    due = engine.compute_due(start, Rule(engine.WORKING_DAYS, amount), PACKAGE_CALENDAR)
    assert PACKAGE_CALENDAR.is_working_day(due.astimezone(SH).date())
    assert due.astimezone(SH).time() == dt.time(23, 59, 59)
