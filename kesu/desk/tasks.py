from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.desk.voice import voice_remind


@task("remind_voice_of_customer", every=3600.0)
def remind_voice_of_customer() -> dict[str, int]:
    """FU-5: the desk manager is told, once per quarter or half-year, when panels or surveys fall
    short of the configured frequency."""
    return {"reminded": voice_remind(now=clock.now())}
