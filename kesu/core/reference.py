"""Reference data, kept in each process's memory and renewed when any process changes it.

Every intake asks the same questions: the severity rules, the categories and their departments,
the classifier in use, the triage policy, the deadline configuration. These change a few times a
month, so each process keeps what it loaded under the *reference version*: a token in the one row
of `core_referenceversion` that database triggers renew in the same transaction as any insert,
update or delete of a reference table (kesu/core/migrations/0001_reference_version.py lists
them). Services, the admin, migrations and raw SQL all renew it; a process that sees a token other
than the one it cached under loads again. Several gunicorn workers therefore never serve rows
another worker has changed once that change is committed.

- `reference_scope()` is a unit of work (one intake, one chunk of an import). It reads the version
  once, or takes the one a request already read for free with its token lookup
  (`version_annotation()`, `observe_version()`, kesu/api/auth.py), and serves every
  `remembered(key, load)` from the process cache when it was loaded under that version.
- Outside a scope, `remembered` reads the version (one small query) on each call.
- `ReferenceVersionMiddleware` forgets the observed version at the end of each request.

A scope sees the reference data as of its start: never use it for rows the same unit of work
writes. Cached values are shared between threads: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse

from kesu.core.models import ReferenceVersion

T = TypeVar("T")

_UNSET = object()
# The version read with this request's token lookup (or _UNSET), and the open scope's version.
_observed: ContextVar[object] = ContextVar("kesu_reference_observed", default=_UNSET)
_scope: ContextVar[object] = ContextVar("kesu_reference_scope", default=_UNSET)
# key → (version, value), for the whole process.
_cache: dict[str, tuple[str, Any]] = {}


def version_annotation() -> Subquery:
    """The current version as an expression, to fold into a query the request makes anyway."""
    return Subquery(ReferenceVersion.objects.filter(pk=1).values("token")[:1])


def current_version() -> str | None:
    """The version as the database has it now (None when the row is missing: nothing is cached)."""
    return ReferenceVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def observe_version(version: str | None) -> None:
    """Remember the version a request read with its authentication, for its reference scopes."""
    _observed.set(version)


def forget_observed_version() -> None:
    _observed.set(_UNSET)


def scope_version() -> object:
    """The version the open scope sees (for a worker process that continues it, `reference_scope(version=…)`)."""
    return _scope.get()


@contextmanager
def reference_scope(*, version: object = _UNSET) -> Iterator[None]:
    """A unit of work that sees one version of the reference data (nested scopes share the outer);
    `version`: the one another process's scope saw (`scope_version()`), its cache inherited."""
    if _scope.get() is not _UNSET:
        yield
        return
    observed = version if version is not _UNSET else _observed.get()
    token = _scope.set(observed if observed is not _UNSET else current_version())
    try:
        yield
    finally:
        _scope.reset(token)


def remembered(key: str, load: Callable[[], T]) -> T:
    """What `load()` gives under the current reference version, loaded once per process per version."""
    version = _scope.get()
    if version is _UNSET:
        version = current_version()
    if version is None:  # no version row (a flushed test database): nothing can be trusted
        return load()
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]
    value = load()
    _cache[key] = (str(version), value)
    return value


def forget_all() -> None:
    """Drop the process cache (tests; never needed for correctness)."""
    _cache.clear()


class ReferenceVersionMiddleware:
    """A version observed by one request must not serve the next one on the same thread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forget_observed_version()
        try:
            return self.get_response(request)
        finally:
            forget_observed_version()
