"""Complaint numbers `YYYYMM-NNNNN` (API.md "Numbers"): gap-free and unique within a month.

The serial comes from one atomic upsert on the month's counter row. The row stays locked
until the registering transaction commits, and rolls back with it, so a failed registration
never leaves a gap and two registrations never share a serial.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

_UPSERT = (
    "INSERT INTO complaints_monthlycounter (period, last_value) VALUES (%s, 1) "
    "ON CONFLICT (period) DO UPDATE SET last_value = complaints_monthlycounter.last_value + 1 "
    "RETURNING last_value"
)


def period_of(received_at: dt.datetime) -> str:
    # The configured TIME_ZONE, not whichever zone the current request may have activated.
    return timezone.localtime(received_at, timezone.get_default_timezone()).strftime("%Y%m")


def format_number(period: str, serial: int) -> str:
    return f"{settings.KESU_NUMBER_PREFIX}{period}-{serial:05d}"


def next_serial(period: str) -> int:
    """Must run inside the transaction that inserts the complaint."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_serial() must be called inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [period])
        row = cursor.fetchone()
    return int(row[0])
