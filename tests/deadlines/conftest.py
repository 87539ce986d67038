from __future__ import annotations

import datetime as dt

import pytest

from kesu.deadlines import engine

SH = dt.timezone(dt.timedelta(hours=8))


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    """An instant in Shanghai local time."""
    return dt.datetime(y, m, d, h, mi, s, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 23, 59, 59)


def package_calendar() -> engine.WorkingCalendar:
    """The official calendar straight from the chinese-calendar package (no database)."""
    from chinese_calendar.constants import holidays, workdays

    return engine.WorkingCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        covered_years=frozenset({d.year for d in holidays}),
    )


PACKAGE_CALENDAR = package_calendar()


@pytest.fixture
def cal() -> engine.WorkingCalendar:
    return PACKAGE_CALENDAR


@pytest.fixture
def reg(register, users):
    """Register a complaint received at `received` (Shanghai), registered a minute later."""

    def _reg(received: dt.datetime, now: dt.datetime | None = None, **overrides):
        return register(now_=now or received + dt.timedelta(minutes=1), received_at=received.isoformat(), **overrides)

    return _reg


@pytest.fixture
def act(users):
    from kesu.complaints.services.transitions import complaint_transition

    def _act(complaint, action: str, who: str, now: dt.datetime, **payload):
        return complaint_transition(
            actor=users[who], number=complaint.number, action=action, payload={"action": action, **payload}, now=now
        )

    return _act


def rows(complaint) -> dict:
    from kesu.deadlines.models import ComplaintDeadline

    return {row.kind: row for row in ComplaintDeadline.objects.filter(complaint_id=complaint.pk)}
