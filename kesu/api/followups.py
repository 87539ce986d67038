"""Follow-up visits 1–2 months after resolution (FU-3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import InDate
from kesu.complaints.validation import Collector
from kesu.core import clock
from kesu.resolution import followups
from kesu.resolution.common import user_ref
from kesu.resolution.models import (
    ContactMethod,
    FollowUpVisit,
)

router = Router(tags=["resolution"])


class FollowUpIn(Schema):
    scheduled_for: dt.date | None = Field(None, description="1–2 months after resolution; default 1 month.")
    method: Literal["phone", "sms", "email", "visit"] = "visit"
    assignee: str | None = None
    purpose: str | None = None


class FollowUpDoneIn(Schema):
    satisfied: bool | None = None
    outcome: str
    cancel: bool = False


class FollowUpOut(Schema):
    id: int
    complaint: str
    scheduled_for: dt.date
    method: str
    assignee: str | None
    purpose: str
    status: str
    satisfied: bool | None
    outcome: str
    done_at: dt.datetime | None


def follow_up_dict(visit: FollowUpVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "complaint": visit.complaint.number,
        "scheduled_for": visit.scheduled_for,
        "method": visit.method,
        "assignee": name(visit.assignee),
        "purpose": visit.purpose,
        "status": visit.status,
        "satisfied": visit.satisfied,
        "outcome": visit.outcome,
        "done_at": visit.done_at,
    }


@router.post(
    "/complaints/{number}/follow-ups",
    response={201: FollowUpOut, **ERRORS},
    openapi_extra=json_body(FollowUpIn, "A follow-up visit 1–2 months after resolution (FU-3)."),
    operation_id="kesu_api_resolution_follow_up_create",
)
def follow_up_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    scheduled_for = None
    raw_day = payload.get("scheduled_for")
    if raw_day not in (None, ""):
        scheduled_for = parse_date(raw_day) if isinstance(raw_day, str) else None
        if scheduled_for is None:
            c.add("scheduled_for", _("Enter a date such as 2026-12-01."), "invalid_date")
    method = c.choice(payload, "method", "method", ContactMethod, default=ContactMethod.VISIT)
    assignee = user_ref(c, payload, "assignee", "assignee")
    purpose = c.text(payload, "purpose", "purpose", max_length=2000)
    c.raise_if_any()
    visit = followups.follow_up_schedule(
        actor=request.user,
        number=number,
        scheduled_for=scheduled_for,
        method=method or ContactMethod.VISIT,
        assignee=assignee,
        purpose=purpose,
        now=clock.now(),
    )
    return Status(201, follow_up_dict(visit))


@router.post(
    "/complaints/{number}/follow-ups/{visit_id}/done",
    response={200: FollowUpOut, **ERRORS},
    openapi_extra=json_body(FollowUpDoneIn, "What came of the visit, or why it is cancelled."),
    operation_id="kesu_api_resolution_follow_up_done",
)
def follow_up_done(request: AuthedRequest, number: str, visit_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    satisfied = payload.get("satisfied")
    if satisfied is not None and not isinstance(satisfied, bool):
        c.add("satisfied", _("Enter true or false."), "type")
    outcome = c.text(payload, "outcome", "outcome", max_length=4000, required=True)
    cancel = c.boolean(payload, "cancel", "cancel")
    c.raise_if_any()
    visit = followups.follow_up_record(
        actor=request.user,
        number=number,
        visit_id=visit_id,
        satisfied=satisfied,
        outcome=outcome,
        cancel=cancel,
        now=clock.now(),
    )
    return follow_up_dict(visit)


class FollowUpQuery(Schema):
    status: Literal["scheduled", "done", "cancelled"] | None = None
    due_by: InDate | None = None


@router.get(
    "/follow-ups", response={200: list[FollowUpOut], **ERRORS}, operation_id="kesu_api_resolution_follow_up_list"
)
def follow_up_list(request: AuthedRequest, filters: Query[FollowUpQuery]) -> list[dict[str, Any]]:
    return [
        follow_up_dict(v)
        for v in followups.follow_ups(user=request.user, status=filters.status, due_by=filters.due_by)[:500]
    ]
