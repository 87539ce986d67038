"""The in-process scheduler of `kesu serve` when no Celery broker is configured.

It runs the same task functions Celery beat would, on a daemon thread: delivery of the
notification outbox and sealing of the audit chain (and, as later issues add them, the
deadline sweep). A commit that writes to the outbox wakes it at once.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from kesu.core import tasks

logger = logging.getLogger(__name__)

# task name → interval in seconds
SCHEDULE: dict[str, float] = {
    "deliver_outbox": 30.0,
    "seal_audit": 5.0,
    "sweep_deadlines": 60.0,
    "escalate_capas": 300.0,
    "anchor_audit": 600.0,
}


def start() -> threading.Thread:
    wakeup = tasks.mark_scheduler_running()
    thread = threading.Thread(target=_loop, args=(wakeup,), name="kesu-scheduler", daemon=True)
    thread.start()
    return thread


def _loop(wakeup: threading.Event) -> None:
    last_run: dict[str, float] = {}
    while True:
        woken = wakeup.wait(timeout=1.0)
        wakeup.clear()
        now = time.monotonic()
        for name, interval in SCHEDULE.items():
            if name not in tasks.registry():
                continue
            due = now - last_run.get(name, 0.0) >= interval or (woken and name == "deliver_outbox")
            if not due:
                continue
            last_run[name] = now
            try:
                close_old_connections()
                tasks.run(name)
            except Exception:
                logger.exception("scheduled task %s failed", name)
            finally:
                close_old_connections()
