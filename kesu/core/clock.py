"""The one place that reads the current time. Everything else takes `now` as an argument."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local(value: dt.datetime) -> dt.datetime:
    """`value` in the configured local time zone (Asia/Shanghai by default)."""
    return timezone.localtime(value)
