"""Deadline endpoints: pause and resume the clocks, extend under a regulatory preset."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status

from kesu.api.access import AuthedRequest
from kesu.api.body import json_object
from kesu.api.complaints import ERRORS, detail_body
from kesu.api.openapi import json_body
from kesu.api.schemas import ComplaintOut
from kesu.core import clock
from kesu.deadlines.services import deadline_extend, deadlines_pause, deadlines_resume

router = Router(tags=["deadlines"])


class PauseIn(Schema):
    reason: str
    note: str | None = None


class ExtensionIn(Schema):
    reason: str


@router.post(
    "/complaints/{number}/pause",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(PauseIn, "Stop the clocks: reason awaiting_customer or external_appraisal."),
)
def pause(request: AuthedRequest, number: str) -> dict[str, Any]:
    body = json_object(request)
    deadlines_pause(
        actor=request.user,
        number=number,
        reason=str(body.get("reason") or ""),
        note=str(body.get("note") or "")[:500],
        now=clock.now(),
    )
    return detail_body(request, number)


@router.post("/complaints/{number}/resume", response={200: ComplaintOut, **ERRORS})
def resume(request: AuthedRequest, number: str) -> dict[str, Any]:
    deadlines_resume(actor=request.user, number=number, now=clock.now())
    return detail_body(request, number)


@router.post(
    "/complaints/{number}/deadlines/{kind}/extensions",
    response={201: ComplaintOut, **ERRORS},
    openapi_extra=json_body(ExtensionIn, "An extension the complaint's regulatory preset allows."),
)
def extend(request: AuthedRequest, number: str, kind: str) -> Status[dict[str, Any]]:
    body = json_object(request)
    deadline_extend(
        actor=request.user, number=number, kind=kind[:40], reason=str(body.get("reason") or "")[:2000], now=clock.now()
    )
    return Status(201, detail_body(request, number))
