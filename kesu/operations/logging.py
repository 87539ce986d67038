"""Structured logs: one JSON object per line, with the request id, never personal data.

`JsonFormatter` is the console formatter (settings.LOGGING). Whatever a message says, phone
numbers and e-mail addresses are masked before it is written, and the database logger's SQL
(which carries customers' names and contact points as parameters) is reduced to its duration.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kesu_request_id", default="")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Mainland mobiles (with or without +86/86), international E.164 numbers, landlines 0xx-xxxxxxxx.
_PHONE = re.compile(
    r"(?<![\w-])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
    r"|\+\d[\d -]{7,16}\d"
    r"|(?<![\w-])0\d{2,3}-?\d{7,8}(?!\d)"
)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_DROPPED = {"request", "sql", "params", "args", "server_time", "status_code", "taskName"}


def scrub(text: str) -> str:
    """The text with every e-mail address and phone number masked."""
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub(str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith("django.db.backends"):
            duration = getattr(record, "duration", None)
            message = f"query ({duration:.3f}s)" if isinstance(duration, float) else "query"
        else:
            message = record.getMessage()
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(message),
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _DROPPED and key not in entry and not key.startswith("_"):
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
