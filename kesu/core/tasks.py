"""One task layer: named task functions run on Celery when CELERY_BROKER_URL is set,
otherwise on the in-process scheduler (`kesu serve`), otherwise inline after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

_REGISTRY: dict[str, Callable[[], Any]] = {}
_wakeup = threading.Event()
_scheduler_running = threading.Event()


def task(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        _REGISTRY[name] = function
        return function

    return register


def registry() -> dict[str, Callable[[], Any]]:
    _load()
    return _REGISTRY


def _load() -> None:
    import kesu.audit.tasks
    import kesu.deadlines.tasks
    import kesu.notifications.tasks
    import kesu.supervision.tasks  # noqa: F401


def run(name: str) -> Any:
    _load()
    return _REGISTRY[name]()


def dispatch(name: str) -> None:
    """Ask for `name` to run soon; called from transaction.on_commit hooks."""
    if settings.CELERY_BROKER_URL:
        from config.celery import app

        app.send_task(f"kesu.{name}")
    elif _scheduler_running.is_set():
        _wakeup.set()
    else:
        try:
            run(name)
        except Exception:
            logger.exception("task %s failed; it will run again on the next schedule", name)


def dispatch_after_commit(name: str) -> None:
    """`dispatch(name)` once the current transaction commits, once however often it is asked for:
    a change that writes ten outbox rows asks for one delivery run, not ten."""
    if not connection.in_atomic_block:
        dispatch(name)
        return
    pending = {getattr(entry[1], "kesu_task", None) for entry in connection.run_on_commit}  # (sids, func, robust)
    if name in pending:
        return

    def callback() -> None:
        dispatch(name)

    callback.kesu_task = name  # type: ignore[attr-defined]
    transaction.on_commit(callback)


def mark_scheduler_running() -> threading.Event:
    _scheduler_running.set()
    return _wakeup


def can_skip_locked() -> bool:
    """SKIP LOCKED where the database has it (PostgreSQL); SQLite serialises writers anyway."""
    return bool(connection.features.has_select_for_update_skip_locked)
