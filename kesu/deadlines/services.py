"""Deadlines stored on a complaint when it is registered (SPEC §7 defaults)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kesu.deadlines import engine


@dataclass(frozen=True)
class InitialDeadlines:
    acknowledge_due: dt.datetime
    reply_due: dt.datetime
    close_due: dt.datetime


def initial_deadlines(*, received_at: dt.datetime, severity: str, urgency: str, channel: str,
                      category_code: str | None, overseas: bool) -> InitialDeadlines:
    if severity == "major":
        return InitialDeadlines(
            acknowledge_due=engine.add_hours(received_at, 2),
            reply_due=engine.end_of_nth_working_day(received_at, 1),
            close_due=engine.end_of_nth_working_day(received_at, 7),
        )
    return InitialDeadlines(
        acknowledge_due=engine.add_hours(received_at, 24),
        reply_due=engine.end_of_nth_working_day(received_at, 3),
        close_due=engine.end_of_nth_calendar_day(received_at, 20 if overseas else 15),
    )
