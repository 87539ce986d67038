from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.customers.privacy import retention_sweep


@task("anonymise_past_retention", every=86400.0)
def anonymise_past_retention() -> int:
    """PIPL: anonymise customers whose complaints are all past retention (daily)."""
    return retention_sweep(now=clock.now())
