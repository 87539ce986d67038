"""What a complaint's timeline events set off outside Kesu: webhook deliveries and robot
announcements, written in the transaction of the change (the outbox delivers them after commit).

Called explicitly where timeline events are written: `record_event` (one event) and the deadline
sweep (its events in bulk)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from kesu.channels import registry
from kesu.channels.models import RobotKind
from kesu.channels.robots import announcement, robot_post, robot_targets
from kesu.channels.webhooks import deliveries_enqueue, subscribed, webhook_events_for


def _robot_kind(kind: str, severity: str, data: Mapping[str, Any]) -> str | None:
    if kind == "registered" and severity == "major":
        return RobotKind.MAJOR_COMPLAINT
    if kind == "deadline_missed" and data.get("escalation"):
        return RobotKind.OVERDUE_ESCALATION
    if kind == "propose_solution" and data.get("status") == "pending_approval":
        return RobotKind.APPROVAL_WAITING
    return None


def complaint_events_recorded(*, events: Sequence[Any], complaints: Mapping[int, Any], now: dt.datetime) -> None:
    webhooks = registry.active_webhooks()
    robots = registry.active_robots()
    if not webhooks and not robots:
        return
    departments: dict[int, tuple[str, str]] | None = None
    for event in events:
        complaint = complaints.get(event.complaint_id)
        if complaint is None:
            continue
        data = event.data or {}
        if data.get("historical") or event.kind == "historical_outcome":
            continue  # a past complaint brought in by the import (kesu/imports) tells nobody anything
        wanted = [
            (name, subscribed(name, webhooks))
            for name in webhook_events_for(event.kind, event.from_status, event.to_status, data)
        ]
        wanted = [(name, ids) for name, ids in wanted if ids]
        robot_kind = _robot_kind(event.kind, complaint.severity, data) if robots else None
        robot_ids = robot_targets(robot_kind, complaint.department_id) if robot_kind else []
        if not wanted and not robot_ids:
            continue
        if departments is None:
            from kesu.accounts.models import Department

            departments = {d.pk: (d.code, d.name) for d in Department.objects.only("id", "code", "name")}
        code, name = departments.get(complaint.department_id, ("", "")) if complaint.department_id else ("", "")
        event_id = uuid.uuid4().hex
        for webhook_event, ids in wanted:
            payload = {
                "event": webhook_event,
                "event_id": event_id,
                "occurred_at": event.at.isoformat(),
                "complaint": {
                    "number": complaint.number,
                    "status": complaint.status,
                    "severity": complaint.severity,
                    "department": code or None,
                    "escalation_level": complaint.escalation_level,
                    "overdue": bool(complaint.overdue),
                },
                "change": {
                    "kind": event.kind,
                    "from_status": event.from_status or None,
                    "to_status": event.to_status or None,
                },
            }
            deliveries_enqueue(
                event=webhook_event, payload=payload, complaint_number=complaint.number, now=now, webhook_ids=ids
            )
        if robot_ids and robot_kind:
            title, text = announcement(robot_kind, complaint, department=name, reason=event.note or "")
            robot_post(
                robot_ids=robot_ids, kind=robot_kind, title=title, markdown=text, now=now, complaint_id=complaint.pk
            )
