from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.deadlines.sweep import sweep


@task("sweep_deadlines", every=60.0)
def sweep_deadlines() -> dict[str, int]:
    """Mark overdue, escalate, remind (SPEC §7, DP-4). Runs on Celery beat or the in-process scheduler."""
    return sweep(now=clock.now()).as_dict()
