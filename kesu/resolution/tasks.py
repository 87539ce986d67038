from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.resolution.adjudication import appeals_escalate_overdue


@task("escalate_appeals", every=300.0)
def escalate_appeals() -> dict[str, int]:
    """§7: staff appeals unanswered past their answer-due are marked overdue and escalated once."""
    return {"escalated": appeals_escalate_overdue(now=clock.now())}
