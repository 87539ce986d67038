"""The in-process scheduler of `kesu serve` when no Celery broker is configured.

It runs the same task functions Celery beat would, on a daemon thread, each at the interval its
app declares (`@task(name, every=…)` in the app's `tasks.py`); a task dispatched after a commit
(e.g. delivery of a new outbox row) runs at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping

from django.db import close_old_connections

from kesu.core import tasks

logger = logging.getLogger(__name__)


class _Schedule(Mapping[str, float]):
    """Task name → interval in seconds: a live view of the task registry."""

    def __getitem__(self, name: str) -> float:
        return tasks.schedule()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(tasks.schedule())

    def __len__(self) -> int:
        return len(tasks.schedule())


SCHEDULE: Mapping[str, float] = _Schedule()


def start() -> threading.Thread:
    wakeup = tasks.mark_scheduler_running()
    thread = threading.Thread(target=_loop, args=(wakeup,), name="kesu-scheduler", daemon=True)
    thread.start()
    return thread


def due_tasks(*, now: float, last_run: dict[str, float], requested: set[str]) -> list[str]:
    """The tasks to run now: those whose interval has passed, and those dispatched meanwhile."""
    due = [name for name, interval in tasks.schedule().items() if now - last_run.get(name, 0.0) >= interval]
    return due + sorted(name for name in requested if name in tasks.registry() and name not in due)


def _loop(wakeup: threading.Event) -> None:
    last_run: dict[str, float] = {}
    while True:
        wakeup.wait(timeout=1.0)
        wakeup.clear()
        now = time.monotonic()
        for name in due_tasks(now=now, last_run=last_run, requested=tasks.take_requested()):
            last_run[name] = now
            try:
                close_old_connections()
                tasks.run(name)
            except Exception:
                logger.exception("scheduled task %s failed", name)
            finally:
                close_old_connections()
