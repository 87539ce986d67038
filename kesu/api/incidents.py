"""Major complaints (SPEC DP-5, DP-6; API.md "Major complaints"): the checklist, the crisis team and
the media enquiries. See docs/major-complaints.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.incidents import selectors, services
from kesu.incidents.models import ChecklistItem, MediaEnquiry

router = Router(tags=["major complaints"])


class ChecklistItemOut(Schema):
    id: int
    text: str
    owner: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None = None
    note: str = ""
    evidence: int | None = None
    overdue: bool = False


class ChecklistOut(Schema):
    kind: str
    items: list[ChecklistItemOut]


class DoneIn(Schema):
    note: str | None = Field(None, description="What was done; optional.")
    evidence: int | None = Field(None, description="The id of one of the complaint's files, as evidence.")


class CrisisTeamIn(Schema):
    lead: str = Field(description="Username of the team's lead.")
    members: list[str] = Field(description="Usernames of the members.")
    purpose: str


class CrisisTeamOut(Schema):
    lead: str
    members: list[str]
    purpose: str
    decisions: str
    convened_by: str
    convened_at: dt.datetime


class MediaEnquiryIn(Schema):
    outlet: str
    reporter: str | None = None
    question: str


class MediaAnswerIn(Schema):
    answer: str


class MediaEnquiryOut(Schema):
    id: int
    outlet: str
    reporter: str
    question: str
    received_at: dt.datetime
    recorded_by: str
    answer: str
    answered_by: str | None
    answered_at: dt.datetime | None


def _item(item: ChecklistItem, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": item.pk,
        "text": item.text,
        "owner": item.owner.username,
        "due_at": item.due_at,
        "done_at": item.done_at,
        "done_by": name(item.done_by),
        "note": item.note,
        "evidence": item.evidence_id,
        "overdue": item.done_at is None and item.due_at <= now,
    }


def _enquiry(row: MediaEnquiry) -> dict[str, Any]:
    return {
        "id": row.pk,
        "outlet": row.outlet,
        "reporter": row.reporter,
        "question": row.question,
        "received_at": row.received_at,
        "recorded_by": row.recorded_by.username,
        "answer": row.answer,
        "answered_by": name(row.answered_by),
        "answered_at": row.answered_at,
    }


@router.get("/complaints/{number}/checklist", response={200: ChecklistOut, **ERRORS})
def checklist(request: AuthedRequest, number: str) -> dict[str, Any]:
    complaint = complaint_of(request, number)
    incident = selectors.incident_of(complaint)
    if incident is None:
        raise NotFound(_("This complaint has no major-complaint checklist."))
    now = clock.now()
    return {"kind": incident.kind, "items": [_item(i, now) for i in selectors.checklist_items(incident)]}


@router.post(
    "/complaints/{number}/checklist/{item_id}/done",
    response={200: ChecklistItemOut, **ERRORS},
    openapi_extra=json_body(DoneIn, "Ticks the item off; only its owner may."),
)
def checklist_done(request: AuthedRequest, number: str, item_id: int) -> dict[str, Any]:
    payload = json_object(request) if request.body else {}
    evidence = payload.get("evidence")
    now = clock.now()
    item = services.checklist_item_done(
        actor=request.user,
        number=number,
        item_id=item_id,
        note=payload.get("note") or "",
        evidence_id=evidence if isinstance(evidence, int) and not isinstance(evidence, bool) else None,
        now=now,
    )
    return _item(item, now)


@router.post(
    "/complaints/{number}/crisis-team",
    response={201: CrisisTeamOut, **ERRORS},
    openapi_extra=json_body(CrisisTeamIn, "Convenes the crisis team (customer-service manager or GM)."),
)
def crisis_team(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    members = payload.get("members")
    team = services.crisis_team_convene(
        actor=request.user,
        number=number,
        lead=str(payload.get("lead") or ""),
        members=[str(m) for m in members] if isinstance(members, list) else [],
        purpose=payload.get("purpose") or "",
        now=clock.now(),
    )
    return Status(
        201,
        {
            "lead": team.lead.username,
            "members": sorted(m.username for m in team.members.all()),
            "purpose": team.purpose,
            "decisions": team.decisions,
            "convened_by": team.convened_by.username,
            "convened_at": team.convened_at,
        },
    )


@router.get("/complaints/{number}/media-enquiries", response={200: list[MediaEnquiryOut], **ERRORS})
def media_enquiries(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    rows = MediaEnquiry.objects.filter(complaint=complaint).select_related("recorded_by", "answered_by")
    return [_enquiry(r) for r in rows.order_by("id")]


@router.post(
    "/complaints/{number}/media-enquiries",
    response={201: MediaEnquiryOut, **ERRORS},
    openapi_extra=json_body(MediaEnquiryIn, "Records a journalist's question (staff decline to answer it)."),
)
def media_enquiry_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    row = services.media_enquiry_record(
        actor=request.user,
        number=number,
        outlet=payload.get("outlet") or "",
        reporter=payload.get("reporter") or "",
        question=payload.get("question") or "",
        now=clock.now(),
    )
    return Status(201, _enquiry(row))


@router.post(
    "/complaints/{number}/media-enquiries/{enquiry_id}/answer",
    response={200: MediaEnquiryOut, **ERRORS},
    openapi_extra=json_body(MediaAnswerIn, "The answer; only the customer-service manager gives it."),
)
def media_enquiry_answer(request: AuthedRequest, number: str, enquiry_id: int) -> dict[str, Any]:
    payload = json_object(request)
    row = services.media_enquiry_answer(
        actor=request.user, number=number, enquiry_id=enquiry_id, answer=payload.get("answer") or "", now=clock.now()
    )
    return _enquiry(row)
