from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.imports.services import run_queued_imports


@task("run_imports", every=60.0)
def run_imports() -> int:
    return run_queued_imports(now=clock.now())
