from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.incidents.services import checklist_escalate_overdue


@task("escalate_checklists", every=60.0)
def escalate_checklists() -> dict[str, int]:
    """DP-6: checklist items past their due time are escalated once (the deadlines sweep's pattern)."""
    return {"escalated": checklist_escalate_overdue(now=clock.now())}
