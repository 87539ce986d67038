"""Service-desk endpoints (API.md "Service desk"; docs/service-desk.md): shift swaps, service
phrases, the duty roster, handovers, agent performance, surveys and the case library."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import AuthedRequest
from kesu.api.schemas import ErrorOut, InDate
from kesu.core import clock
from kesu.desk import handover, performance, phrases, roster, swaps
from kesu.desk.models import ShiftSwap

router = Router(tags=["service desk"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SwapIn(Schema):
    partner: str = Field(description="Username of the colleague who takes the shift.")
    date: str = Field(description="YYYY-MM-DD: the requester's shift that the partner takes.")
    partner_date: str | None = Field(None, description="YYYY-MM-DD: the partner's shift the requester takes in return.")


class SwapCreatedOut(Schema):
    id: int
    status: str


class SwapOut(Schema):
    id: int
    requester: str
    partner: str
    date: dt.date
    partner_date: dt.date | None
    status: str
    approved_by: str | None


def _swap(swap: ShiftSwap) -> dict[str, Any]:
    return {
        "id": swap.pk,
        "requester": swap.requester.username,
        "partner": swap.partner.username,
        "date": swap.date,
        "partner_date": swap.partner_date,
        "status": swap.status,
        "approved_by": swap.approved_by.username if swap.approved_by else None,
    }


@router.post("/shift-swaps", response={201: SwapCreatedOut, **ERRORS})
def swap_create(request: AuthedRequest, body: SwapIn) -> Status[dict[str, Any]]:
    swap = swaps.swap_request(
        actor=request.user, partner=body.partner, date=body.date, partner_date=body.partner_date, now=clock.now()
    )
    return Status(201, {"id": swap.pk, "status": swap.status})


@router.get("/shift-swaps", response={200: list[SwapOut], **ERRORS})
def swap_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_swap(s) for s in swaps.swaps_for(request.user)]


@router.post("/shift-swaps/{swap_id}/agree", response={200: SwapOut, **ERRORS})
def swap_agree(request: AuthedRequest, swap_id: int) -> dict[str, Any]:
    return _swap(swaps.swap_agree(actor=request.user, swap_id=swap_id, now=clock.now()))


@router.post("/shift-swaps/{swap_id}/approve", response={200: SwapOut, **ERRORS})
def swap_approve(request: AuthedRequest, swap_id: int) -> dict[str, Any]:
    return _swap(swaps.swap_approve(actor=request.user, swap_id=swap_id, now=clock.now()))


@router.post("/shift-swaps/{swap_id}/withdraw", response={200: SwapOut, **ERRORS})
def swap_withdraw(request: AuthedRequest, swap_id: int) -> dict[str, Any]:
    return _swap(swaps.swap_withdraw(actor=request.user, swap_id=swap_id, now=clock.now()))


@router.post("/shift-swaps/{swap_id}/refuse", response={200: SwapOut, **ERRORS})
def swap_refuse(request: AuthedRequest, swap_id: int) -> dict[str, Any]:
    return _swap(swaps.swap_refuse(actor=request.user, swap_id=swap_id, now=clock.now()))


class PhraseIn(Schema):
    text: str
    kind: str = Field(description="required or forbidden")


class PhraseOut(Schema):
    id: int
    text: str
    kind: str
    active: bool


@router.post("/service-phrases", response={201: PhraseOut, **ERRORS})
def phrase_create(request: AuthedRequest, body: PhraseIn) -> Status[dict[str, Any]]:
    phrase = phrases.phrase_add(actor=request.user, text=body.text, kind=body.kind, now=clock.now())
    return Status(201, {"id": phrase.pk, "text": phrase.text, "kind": phrase.kind, "active": phrase.active})


@router.get("/service-phrases", response={200: list[PhraseOut], **ERRORS})
def phrase_list(request: AuthedRequest) -> list[dict[str, Any]]:
    from kesu.desk.models import ServicePhrase

    return [{"id": p.pk, "text": p.text, "kind": p.kind, "active": p.active} for p in ServicePhrase.objects.all()]


class DutyOut(Schema):
    team: str
    agent: str
    shift: str
    starts: dt.time
    ends: dt.time
    held_over: bool = Field(description="The shift's time is past but its handover was not accepted yet.")


@router.get("/roster/on-duty", response={200: list[DutyOut], **ERRORS})
def on_duty(request: AuthedRequest) -> list[dict[str, Any]]:
    from kesu.desk.models import Team

    now = clock.now()
    rows = []
    for team in Team.objects.all():
        for duty in roster.on_duty(team=team, now=now):
            entry = duty.entry
            rows.append(
                {
                    "team": team.code,
                    "agent": entry.user.username,
                    "shift": entry.shift.code,
                    "starts": entry.shift.starts,
                    "ends": entry.shift.ends,
                    "held_over": duty.held_over,
                }
            )
    return rows


class HandoverIn(Schema):
    incoming: str
    equipment: str
    difficult: str = ""
    staffing: str = ""
    complaints: list[str] = []


class HandoverOut(Schema):
    id: int
    outgoing: str
    incoming: str
    date: dt.date
    shift: str
    equipment: str
    difficult: str
    staffing: str
    written_at: dt.datetime
    accepted_at: dt.datetime | None


def _handover(h: Any) -> dict[str, Any]:
    return {
        "id": h.pk,
        "outgoing": h.outgoing.username,
        "incoming": h.incoming.username,
        "date": h.entry.date,
        "shift": h.entry.shift.code,
        "equipment": h.equipment,
        "difficult": h.difficult,
        "staffing": h.staffing,
        "written_at": h.written_at,
        "accepted_at": h.accepted_at,
    }


@router.post("/handovers", response={201: HandoverOut, **ERRORS})
def handover_create(request: AuthedRequest, body: HandoverIn) -> Status[dict[str, Any]]:
    written = handover.handover_write(
        actor=request.user,
        incoming=body.incoming,
        equipment=body.equipment,
        difficult=body.difficult,
        staffing=body.staffing,
        complaints=body.complaints,
        now=clock.now(),
    )
    return Status(201, _handover(written))


@router.post("/handovers/{handover_id}/accept", response={200: HandoverOut, **ERRORS})
def handover_accept(request: AuthedRequest, handover_id: int) -> dict[str, Any]:
    return _handover(handover.handover_accept(actor=request.user, handover_id=handover_id, now=clock.now()))


class HandoverQuery(Schema):
    q: str = ""


@router.get("/handovers", response={200: list[HandoverOut], **ERRORS})
def handover_list(request: AuthedRequest, query: Query[HandoverQuery]) -> list[dict[str, Any]]:
    return [_handover(h) for h in handover.handover_log(user=request.user, q=query.q)]


class PerformanceQuery(Schema):
    date_from: InDate
    date_to: InDate


class PerformanceOut(Schema):
    agent: str
    volume: int
    closed: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    valid_complaints_against: int
    review_score: float | None
    rewards: str
    penalties: str


@router.get("/desk/performance", response={200: list[PerformanceOut], **ERRORS})
def agent_performance(request: AuthedRequest, query: Query[PerformanceQuery]) -> list[dict[str, Any]]:
    rows = performance.agent_performance(user=request.user, date_from=query.date_from, date_to=query.date_to)
    return [
        {
            "agent": r.agent.username,
            "volume": r.volume,
            "closed": r.closed,
            "on_time_rate": float(r.on_time_rate) if r.on_time_rate is not None else None,
            "satisfaction_rate": float(r.satisfaction_rate) if r.satisfaction_rate is not None else None,
            "valid_complaints_against": r.valid_against,
            "review_score": float(r.review_score) if r.review_score is not None else None,
            "rewards": str(r.rewards),
            "penalties": str(r.penalties),
        }
        for r in rows
    ]
