"""Every time in every API answer in one format: UTC, milliseconds, `Z` (2026-11-02T01:30:00.000Z)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


def format_time(value: dt.datetime) -> str:
    if value.tzinfo is None:  # never stored (USE_TZ), but never answered ambiguously either
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return format_time(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
