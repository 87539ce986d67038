"""The one place that reads the current time. Everything else takes `now` as an argument."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local(value: dt.datetime) -> dt.datetime:
    """`value` in the configured local time zone (Asia/Shanghai by default)."""
    return timezone.localtime(value)


def iso_utc(value: dt.datetime) -> str:
    """The one time format of the API (and of times kept in event data): UTC, milliseconds, `Z`."""
    if value.tzinfo is None:  # never stored (USE_TZ), but never written ambiguously either
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
