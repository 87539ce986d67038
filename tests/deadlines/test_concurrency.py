"""Concurrent sweepers never double-escalate (row locks; SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kesu.deadlines.models import ComplaintDeadline, Escalation
from kesu.deadlines.sweep import sweep
from kesu.notifications.models import OutboxMessage

from .conftest import at

COMPLAINTS = 40
SWEEPERS = 4


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweepers_escalate_each_missed_deadline_once(users, register):
    from kesu.core import tasks

    complaints = [
        register(now_=at(2026, 3, 2, 10, 1), received_at=at(2026, 3, 2, 10).isoformat()) for _ in range(COMPLAINTS)
    ]
    when = at(2026, 3, 4, 11)  # acknowledge and its 48-hour hard limit missed on every complaint
    results = []
    failures: list[BaseException] = []
    start = threading.Barrier(SWEEPERS)
    # Delivery would run inline after each commit without a scheduler: leave the outbox alone here.
    tasks.mark_scheduler_running()

    def work() -> None:
        try:
            start.wait()
            results.append(sweep(now=when, batch_size=3))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(SWEEPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tasks._scheduler_running.clear()

    assert failures == []
    assert sum(r.missed for r in results) == 2 * COMPLAINTS
    assert sum(r.escalated for r in results) == 2 * COMPLAINTS
    assert Escalation.objects.count() == 2 * COMPLAINTS
    assert sorted(set(Escalation.objects.values_list("complaint_id", "to_level"))) == sorted(
        (c.pk, level) for c in complaints for level in (1, 2)
    )
    for complaint in complaints:
        complaint.refresh_from_db()
        assert complaint.escalation_level == 2
        assert complaint.events.filter(kind="deadline_missed").count() == 2
    assert ComplaintDeadline.objects.filter(missed_at=when).count() == 2 * COMPLAINTS
    assert OutboxMessage.objects.filter(kind="escalated").count() == 2 * COMPLAINTS * 2 - COMPLAINTS
    assert sweep(now=when).checked == 0
