"""Background jobs of the reports area: the scheduled reports (SPEC RP-3)."""

from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.reports.scheduled import produce_due_reports
from kesu.reports.tallies import reconcile_due, reconcile_tallies, refresh_tallies


@task("produce_reports", every=3600.0)
def produce_reports() -> dict[str, int]:
    """Produce the reports due today (local), once each; runs hourly on Celery beat or in-process."""
    return {"produced": len(produce_due_reports(now=clock.now()))}


@task("refresh_tallies", every=60.0)
def refresh_report_tallies() -> dict[str, int]:
    """Bring the indicators' daily tallies in step with what changed (kesu/reports/tallies.py), so a
    report's own refresh has little left to do."""
    return {"changed": refresh_tallies(now=clock.now())}


@task("reconcile_tallies", every=3600.0)
def reconcile_report_tallies() -> dict[str, int]:
    """The tallies' nightly check (once a day, between 02:00 and 05:00 local): every complaint
    recounted, a chunk at a time, and what a refresh could not see corrected."""
    now = clock.now()
    if not reconcile_due(now):
        return {"corrected": 0}
    return {"corrected": reconcile_tallies(now=now)}
