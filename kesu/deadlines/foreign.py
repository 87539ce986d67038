"""Working-day calendars of foreign rules (SPEC §7): a foreign regulator's deadline counts on
that country's calendar and in its time zone, never on the Chinese one.

- ``uk``: FCA DISP "business days" — Monday to Friday except the bank holidays of England and
  Wales, London time;
- ``us``: CFPB — its response times are calendar days (the rule counts every day); US federal
  holidays and New York time are used for the end of the day and for any working-day rule.

The days come from the `holidays` package, computed for the years a deadline can reach.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from kesu.deadlines.engine import WorkingCalendar

CHINA = ""  # the organisation's own calendar (the table of official days, 调休 included)
UK = "uk"
US = "us"

# code → (country, subdivision, time zone)
FOREIGN: dict[str, tuple[str, str | None, str]] = {
    UK: ("GB", "ENG", "Europe/London"),
    US: ("US", None, "America/New_York"),
}
CALENDAR_CODES = (CHINA, *FOREIGN)
_YEARS = range(2000, 2101)


@functools.cache
def foreign_calendar(code: str) -> WorkingCalendar:
    """The working-day calendar of a foreign rule (`code` in FOREIGN)."""
    import holidays

    country, subdivision, zone = FOREIGN[code]
    days = holidays.country_holidays(country, subdiv=subdivision, years=_YEARS)
    return WorkingCalendar(
        holidays=frozenset(days.keys()),
        workdays=frozenset(),
        covered_years=frozenset(_YEARS),
        tz=ZoneInfo(zone),
        business_start=dt.time(9, 0),
        business_end=dt.time(17, 0),
        names={day: str(name) for day, name in days.items()},
    )


def calendar_for(code: str, own: WorkingCalendar) -> WorkingCalendar:
    """The calendar a rule counts on: a foreign one by its code, else the organisation's."""
    if code and code in FOREIGN:
        return foreign_calendar(code)
    return own
