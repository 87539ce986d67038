from __future__ import annotations

from kesu.compensation.services import vouchers_escalate_uncountersigned
from kesu.core import clock
from kesu.core.tasks import task


@task("escalate_vouchers", every=300.0)
def escalate_vouchers() -> dict[str, int]:
    """RS-7: paid petty-cash vouchers not countersigned in time are escalated once."""
    return {"escalated": vouchers_escalate_uncountersigned(now=clock.now())}
