"""Deadline endpoints: pause and resume the clocks, extend under a regulatory preset."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kesu.api.body import json_object
from kesu.api.complaints import ERRORS
from kesu.api.openapi import json_body
from kesu.api.schemas import ComplaintOut
from kesu.api.serializers import complaint_dict
from kesu.complaints.selectors import complaint_get, complaint_timeline
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.deadlines.services import deadline_extend, deadlines_pause, deadlines_resume

router = Router(tags=["deadlines"])


class PauseIn(Schema):
    reason: str
    note: str | None = None


class ExtensionIn(Schema):
    reason: str


def _visible(request: HttpRequest, number: str) -> None:
    if complaint_get(user=request.user, number=number) is None:  # type: ignore[arg-type]
        raise NotFound(_("No complaint has this number."))


def _fresh(request: HttpRequest, number: str) -> dict[str, Any]:
    complaint = complaint_get(user=request.user, number=number)  # type: ignore[arg-type]
    assert complaint is not None
    return complaint_dict(complaint, user=request.user, now=clock.now(),  # type: ignore[arg-type]
                          timeline=list(complaint_timeline(complaint)))


@router.post("/complaints/{number}/pause", response={200: ComplaintOut, **ERRORS},
             openapi_extra=json_body(PauseIn, "Stop the clocks: reason awaiting_customer or external_appraisal."))
def pause(request: HttpRequest, number: str) -> dict[str, Any]:
    _visible(request, number)
    body = json_object(request)
    deadlines_pause(actor=request.user, number=number, reason=str(body.get("reason") or ""),  # type: ignore[arg-type]
                    note=str(body.get("note") or "")[:500], now=clock.now())
    return _fresh(request, number)


@router.post("/complaints/{number}/resume", response={200: ComplaintOut, **ERRORS})
def resume(request: HttpRequest, number: str) -> dict[str, Any]:
    _visible(request, number)
    deadlines_resume(actor=request.user, number=number, now=clock.now())  # type: ignore[arg-type]
    return _fresh(request, number)


@router.post("/complaints/{number}/deadlines/{kind}/extensions", response={201: ComplaintOut, **ERRORS},
             openapi_extra=json_body(ExtensionIn, "An extension the complaint's regulatory preset allows."))
def extend(request: HttpRequest, number: str, kind: str) -> Status[dict[str, Any]]:
    _visible(request, number)
    body = json_object(request)
    deadline_extend(actor=request.user, number=number, kind=kind[:40],  # type: ignore[arg-type]
                    reason=str(body.get("reason") or "")[:2000], now=clock.now())
    return Status(201, _fresh(request, number))
