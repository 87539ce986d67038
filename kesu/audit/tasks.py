from __future__ import annotations

from kesu.audit.services import audit_seal
from kesu.core.tasks import task


@task("seal_audit")
def seal_audit() -> int:
    return audit_seal()
