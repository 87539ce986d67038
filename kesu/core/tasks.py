"""One task layer: named task functions run on Celery when CELERY_BROKER_URL is set,
otherwise on the in-process scheduler (`kesu serve`), otherwise inline after commit.

Each app declares its tasks (and how often they run) where they live, in its `tasks.py`, with
`@task(name, every=seconds)`; the app's `AppConfig.ready` imports that module. The core imports
no app: the in-process scheduler and Celery beat both read this registry."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: Callable[[], Any]
    every: float | None  # seconds between scheduled runs; None: only when dispatched
    when: Callable[[], bool] | None = None  # scheduled only while this holds (e.g. a connector is configured)


_REGISTRY: dict[str, TaskSpec] = {}
_wakeup = threading.Event()
_scheduler_running = threading.Event()
_requested: set[str] = set()
_requested_lock = threading.Lock()


def task(
    name: str, *, every: float | None = None, when: Callable[[], bool] | None = None
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register `function` as the task `name`, run every `every` seconds by the scheduler
    (and, given `when`, only while `when()` is true: read each time the schedule is)."""

    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        _REGISTRY[name] = TaskSpec(name=name, function=function, every=every, when=when)
        return function

    return register


def registry() -> dict[str, Callable[[], Any]]:
    """Every registered task by name (filled in as the apps become ready)."""
    return {name: spec.function for name, spec in _REGISTRY.items()}


def schedule() -> dict[str, float]:
    """Task name → interval in seconds, for the tasks that run on a schedule (now)."""
    return {
        name: spec.every
        for name, spec in _REGISTRY.items()
        if spec.every is not None and (spec.when is None or spec.when())
    }


def run(name: str) -> Any:
    return _REGISTRY[name].function()


def dispatch(name: str) -> None:
    """Ask for `name` to run soon; called from transaction.on_commit hooks."""
    if settings.CELERY_BROKER_URL:
        from kesu.core.celery_app import producer

        producer().send_task(f"kesu.{name}")
    elif _scheduler_running.is_set():
        with _requested_lock:
            _requested.add(name)
        _wakeup.set()
    else:
        try:
            run(name)
        except Exception:
            logger.exception("task %s failed; it will run again on the next schedule", name)


def take_requested() -> set[str]:
    """The task names dispatched since the scheduler last looked (and forget them)."""
    with _requested_lock:
        names = set(_requested)
        _requested.clear()
    return names


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
