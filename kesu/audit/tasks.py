from __future__ import annotations

from kesu.audit.services import audit_anchor, audit_seal
from kesu.core import clock
from kesu.core.tasks import task


@task("seal_audit", every=5.0)
def seal_audit() -> int:
    return audit_seal()


@task("anchor_audit", every=600.0)
def anchor_audit() -> bool:
    """Copy the chain head to the anchor file (outside the database)."""
    return audit_anchor(now=clock.now())
