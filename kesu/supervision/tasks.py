from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.supervision.services import capa_escalate_overdue


@task("escalate_capas", every=300.0)
def escalate_capas() -> int:
    """SV-2: overdue CAPAs escalate like complaints (owner's manager, then the GM)."""
    return capa_escalate_overdue(now=clock.now())
