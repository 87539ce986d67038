"""Keyset cursors for the complaint list (issue 15: deep pages at a million complaints).

A page asked for by `page` costs an OFFSET: the database walks every row before it. A cursor
names the last row of the previous page instead, by its sort key (`received_at`, `id`), so the
next page is an index range that costs the same on page 1 and on page 5,000. The cursor is
opaque to clients (docs/README.md, "Listing"): `<direction>.<received_at in µs>.<id>` in
unpadded URL-safe base64, where the direction records the sort it was made for.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DIRECTIONS = {"d": "-received_at", "a": "received_at"}


@dataclass(frozen=True)
class Cursor:
    sort: str  # "-received_at" or "received_at": the order the cursor continues
    received_at: dt.datetime
    pk: int

    def encode(self) -> str:
        direction = "a" if self.sort == "received_at" else "d"
        micros = (self.received_at - EPOCH) // dt.timedelta(microseconds=1)
        raw = f"{direction}.{micros}.{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def after(self) -> Q:
        """The rows that come after this one in its order (ties on the time broken by id)."""
        if self.sort == "received_at":
            return Q(received_at__gt=self.received_at) | Q(received_at=self.received_at, pk__gt=self.pk)
        return Q(received_at__lt=self.received_at) | Q(received_at=self.received_at, pk__lt=self.pk)


def cursor_decode(text: str) -> Cursor:
    """The cursor `text` stands for; ValueError when it is not one this module made."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        direction, micros, pk = raw.split(".")
        received_at = EPOCH + dt.timedelta(microseconds=int(micros))
        key = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise ValueError(text) from error
    if direction not in DIRECTIONS or key < 1:
        raise ValueError(text)
    return Cursor(sort=DIRECTIONS[direction], received_at=received_at, pk=key)


def cursor_after(sort: str, row: dict[str, object]) -> str:
    """The cursor that continues `sort` after `row` (a list row with `id` and `received_at`)."""
    received_at = row["received_at"]
    pk = row["id"]
    assert isinstance(received_at, dt.datetime) and isinstance(pk, int)
    return Cursor(sort=sort, received_at=received_at, pk=pk).encode()
