"""Reference data read once per batch instead of once per row.

A bulk write (a spreadsheet import registers thousands of complaints) asks the same questions of
the database for every row: the severity rules, the deadline settings' version, the classifier in
use, the complaint desk. Inside `reference_scope()` each such read (`remembered(key, load)`) runs
once and is reused until the scope ends; outside one, `load()` simply runs every time, so
interactive writes always see the latest settings. Keep scopes short (the importer opens one per
chunk of rows) and use it for reference data only, never for rows the batch itself writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_scope: ContextVar[dict[str, Any] | None] = ContextVar("kesu_reference_scope", default=None)


@contextmanager
def reference_scope() -> Iterator[None]:
    """Remember reference data read inside the block (nested scopes share the outer one)."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def remembered(key: str, load: Callable[[], T]) -> T:
    """`load()`, or inside a reference scope the value it gave the first time for `key`."""
    scope = _scope.get()
    if scope is None:
        return load()
    if key not in scope:
        scope[key] = load()
    return scope[key]  # type: ignore[no-any-return]
