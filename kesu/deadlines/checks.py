"""`kesu check`: warn loudly about years without an official working-day calendar."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register
from django.db import DatabaseError

from kesu.core import clock


@register("kesu")
def calendar_years_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from kesu.deadlines.selectors import calendar_missing_years

    try:
        missing = calendar_missing_years(now=clock.now())
    except DatabaseError:
        return []  # not migrated yet
    return [
        Warning(
            f"No official holiday schedule for {year}: working days fall back to Monday to Friday "
            f"(make-up working days and public holidays are ignored).",
            hint="Enter or import the year's schedule (国务院办公厅节假日安排) in the admin under Calendar years, "
            "or: kesu calendar import FILE.csv --year YEAR",
            id="kesu.deadlines.W001",
        )
        for year in missing
    ]
