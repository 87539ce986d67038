"""The set-based sweep on PostgreSQL writes what the per-row path writes: the same deadlines,
complaints, escalation history, timeline events, audit records (whose digests the seal accepts),
routed notifications, robot announcements and webhook deliveries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction

from kesu.accounts.models import Department
from kesu.audit.models import AuditRecord
from kesu.audit.services import record_digest
from kesu.channels.models import WebhookDelivery
from kesu.channels.preferences import preference_save
from kesu.channels.robots import robot_save
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.deadlines import sweep as sweep_module
from kesu.deadlines.models import ComplaintDeadline, Escalation
from kesu.deadlines.sweep import sweep
from kesu.notifications.models import OutboxMessage

from .conftest import at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"),
]


class _Undo(Exception):
    pass


def _snapshot() -> dict[str, Any]:
    number = dict(Complaint.objects.values_list("id", "number"))
    kind = dict(ComplaintDeadline.objects.values_list("id", "kind"))
    audits = list(AuditRecord.objects.filter(action="complaint.deadline_missed").order_by("object_id"))
    assert all(record_digest(r) == r.digest for r in audits)

    def webhook_body(body: str) -> dict[str, Any]:
        data = json.loads(body)
        data.pop("event_id")
        return data

    return {
        "complaints": sorted(Complaint.objects.values_list("number", "escalation_level", "overdue", "updated_at")),
        "deadlines": sorted(
            (number[d.complaint_id], d.kind, d.state, d.missed_at, d.on_time, d.next_check_at, d.escalated_at)
            for d in ComplaintDeadline.objects.all()
        ),
        "escalations": sorted(
            (number[e.complaint_id], e.from_level, e.to_level, e.cause, e.reason, kind.get(e.deadline_id or 0), e.at)
            for e in Escalation.objects.all()
        ),
        "events": sorted(
            (number[e.complaint_id], e.kind, e.at, e.note, json.dumps(e.data, sort_keys=True), e.internal)
            for e in ComplaintEvent.objects.filter(kind="deadline_missed")
        ),
        "audits": [(r.object_id, r.at, r.actor, r.actor_id, json.dumps(r.data, sort_keys=True)) for r in audits],
        "outbox": sorted(
            (
                o.kind,
                o.channel,
                o.recipient,
                o.recipient_user_id or 0,
                number.get(o.complaint_id or 0, ""),
                o.subject,
                o.body,
                o.status,
                o.attempts,
                o.next_attempt_at,
            )
            for o in OutboxMessage.objects.exclude(webhook_delivery__isnull=False)
        ),
        "webhooks": sorted(
            (d.event, d.complaint_number, json.dumps(webhook_body(d.body), sort_keys=True))
            for d in WebhookDelivery.objects.all()
        ),
    }


def _sweep_and_undo(when, *, bulk: bool) -> tuple[dict[str, int], dict[str, Any]]:
    try:
        with transaction.atomic():
            result = sweep(now=when, bulk=bulk)
            snapshot = _snapshot()
            raise _Undo
    except _Undo:
        pass
    return result.as_dict(), snapshot


def test_the_bulk_path_writes_what_the_per_row_path_writes(reg, act, users, api, monkeypatch):
    monkeypatch.setenv("KESU_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    received = at(2026, 3, 2, 10)
    plain = reg(received)
    major = reg(received, severity="major")
    assigned = reg(received)
    # Set straight on the row: `assign` needs an acknowledged complaint, whose deadline is then met.
    Complaint.objects.filter(pk=assigned.pk).update(
        assignee=users["handler"], department=Department.objects.get(code="quality")
    )
    escalated = reg(received)
    act(escalated, "escalate", "agent", at(2026, 3, 2, 11), reason="客户情绪激动")
    acknowledged = reg(received)  # met: the per-row path's
    act(acknowledged, "acknowledge", "agent", at(2026, 3, 2, 15))
    # Channels: a manager who hears of escalations by SMS and the robot, not by mail; a robot for
    # overdue escalations; a webhook for overdue and escalated complaints.
    preference_save(actor=users["manager"], mobile="13800138000", choices={"escalated": ["robot", "sms"]}, now=received)
    robot_save(
        actor=users["manager"],
        now=received,
        name="品质部群",
        platform="dingtalk",
        department=Department.objects.get(code="quality"),
        url="http://127.0.0.1:9/robot/send?access_token=tok",
        secret="SEC0123456789abcdef",
        kinds=["overdue_escalation"],
    )
    response = api("admin").post(
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/hook", "secret": "s" * 32, "events": ["complaint.overdue", "complaint.escalated"]},
    )
    assert response.status_code == 201, response.content
    when = at(2026, 3, 3, 10, 30)  # the acknowledgements fell due at 10:00

    per_row = _sweep_and_undo(when, bulk=False)
    written_in_bulk: list[int] = []
    bulk_write = sweep_module._bulk_write

    def spy(cursor: Any, missed: list[Any], **kwargs: Any) -> None:
        written_in_bulk.extend(m.complaint_id for m in missed)
        bulk_write(cursor, missed, **kwargs)

    monkeypatch.setattr(sweep_module, "_bulk_write", spy)
    bulk = _sweep_and_undo(when, bulk=True)

    assert bulk == per_row
    # Their acknowledgements in bulk; the reminders of the acknowledgement's hard limit, due too
    # (on all five complaints), by the per-row path.
    assert sorted(written_in_bulk) == sorted([plain.pk, major.pk, assigned.pk, escalated.pk])
    assert bulk[0]["reminded"] == 5
    result, written = bulk
    assert (result["missed"], result["escalated"]) == (4, 4)
    levels = {number: level for number, level, _overdue, _at in written["complaints"]}
    assert (levels[plain.number], levels[major.number], levels[assigned.number], levels[escalated.number]) == (
        1,
        3,
        1,
        2,
    )
    channels = {row[1] for row in written["outbox"]}
    assert {"email", "sms", "robot"} <= channels
    assert {event for event, _number, _body in written["webhooks"]} == {"complaint.overdue", "complaint.escalated"}


def test_the_bulk_path_leaves_a_second_due_deadline_of_a_complaint_to_the_per_row_path(reg):
    complaint = reg(at(2026, 3, 2, 10))
    when = at(2026, 3, 4, 11)  # acknowledge and its 48-hour hard limit missed together
    per_row = _sweep_and_undo(when, bulk=False)
    bulk = _sweep_and_undo(when, bulk=True)
    assert bulk == per_row
    assert [row[1:3] for row in bulk[1]["escalations"] if row[0] == complaint.number] == [(0, 1), (1, 2)]


def test_the_bulk_path_in_small_batches_is_idempotent(reg):
    complaints = [reg(at(2026, 3, 2, 10)) for _ in range(5)]
    when = at(2026, 3, 3, 10, 30)
    first = sweep(now=when, batch_size=2)
    assert (first.missed, first.escalated) == (5, 5)
    counts = (ComplaintEvent.objects.count(), OutboxMessage.objects.count(), AuditRecord.objects.count())
    assert sweep(now=when, batch_size=2).checked == 0
    assert (ComplaintEvent.objects.count(), OutboxMessage.objects.count(), AuditRecord.objects.count()) == counts
    assert sorted(Escalation.objects.values_list("complaint_id", flat=True)) == sorted(c.pk for c in complaints)
