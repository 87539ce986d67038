"""Every time in every API answer in one format: UTC, milliseconds, `Z` (2026-11-02T01:30:00.000Z)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from kesu.core.clock import iso_utc


def format_time(value: dt.datetime) -> str:
    return iso_utc(value)


class Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return format_time(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
