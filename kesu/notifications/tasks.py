from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.notifications.services import deliver_pending


@task("deliver_outbox", every=30.0)
def deliver_outbox() -> int:
    return deliver_pending(now=clock.now())
