"""Public endpoints: no login, rate-limited, no enumeration through tracking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import (
    ComplaintIn,
    ErrorOut,
    PublicAcceptIn,
    PublicComplaintOut,
    PublicCreatedOut,
    PublicRateIn,
    PublicRejectIn,
)
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_timeline
from kesu.complaints.services.public import (
    public_answer_solution,
    public_lookup,
    public_rate,
    public_rating,
    public_register,
    public_solution,
)
from kesu.core import clock
from kesu.core.errors import DomainError, NotFound
from kesu.core.ratelimit import client_ip, hit

router = Router(tags=["public"])
ERRORS: dict[int, Any] = {404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(
            message=_("Too many requests; try again in %(seconds)d seconds.") % {"seconds": retry_after},
            code="rate_limited",
            status=429,
        )


def _limit(request: HttpRequest, scope: str) -> None:
    retry = hit(scope, client_ip(request), settings.KESU_PUBLIC_RATE_LIMIT)
    if retry is not None:
        raise RateLimited(retry)


@router.post(
    "/public/complaints",
    response={201: PublicCreatedOut, **ERRORS},
    auth=None,
    openapi_extra=json_body(ComplaintIn, "A customer's complaint (severity and settlement are ignored)."),
)
def public_create(request: HttpRequest) -> Status[dict[str, Any]]:
    _limit(request, "public_create")
    complaint = public_register(payload=json_object(request), now=clock.now())
    return Status(
        201,
        {
            "number": complaint.number,
            "status": complaint.status,
            "channel": complaint.channel,
            "received_at": complaint.received_at,
            "expected_reply_by": complaint.reply_due,
        },
    )


@router.get("/public/complaints/{number}", response={200: PublicComplaintOut, **ERRORS}, auth=None)
def public_track(request: HttpRequest, number: str, contact: str = "") -> dict[str, Any]:
    _limit(request, "public_track")
    complaint = public_lookup(number=number, contact=contact)
    if complaint is None:
        raise NotFound(_("No complaint matches this number and contact."))
    return public_view(complaint)


def public_view(complaint: Complaint) -> dict[str, Any]:
    solution = public_solution(complaint)
    shown = None
    if solution is not None:
        shown = {
            "round": solution.round,
            "status": solution.status,
            "total": str(solution.total),
            "remedies": [
                {"type": r.type, "amount": str(r.amount), "alternative": str(r.alternative)}
                for r in solution.remedies.all()
            ],
            "description": solution.description,
        }
    return {
        "number": complaint.number,
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "received_at": complaint.received_at,
        "expected_reply_by": complaint.reply_due,
        "title": complaint.title,
        "description": complaint.description,
        "result": complaint.result,
        "solution": shown,
        "timeline": [
            {"kind": e.kind, "at": e.at, "status": e.to_status} for e in complaint_timeline(complaint, public_only=True)
        ],
        "rating": public_rating(complaint),
    }


ANSWER_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


@router.post(
    "/public/complaints/{number}/accept",
    response={200: PublicComplaintOut, **ANSWER_ERRORS},
    auth=None,
    openapi_extra=json_body(PublicAcceptIn, "The customer accepts the approved solution."),
)
def public_accept(request: HttpRequest, number: str) -> dict[str, Any]:
    _limit(request, "public_answer")
    body = json_object(request)
    complaint = public_answer_solution(
        number=number,
        contact=_text(body, "contact"),
        accepted=True,
        note=_text(body, "note"),
        alternative=body.get("alternative"),
        now=clock.now(),
    )
    return public_view(complaint)


@router.post(
    "/public/complaints/{number}/reject",
    response={200: PublicComplaintOut, **ANSWER_ERRORS},
    auth=None,
    openapi_extra=json_body(PublicRejectIn, "The customer rejects the solution, with the reason."),
)
def public_reject(request: HttpRequest, number: str) -> dict[str, Any]:
    _limit(request, "public_answer")
    body = json_object(request)
    complaint = public_answer_solution(
        number=number, contact=_text(body, "contact"), accepted=False, note=_text(body, "reason"), now=clock.now()
    )
    return public_view(complaint)


@router.post(
    "/public/complaints/{number}/rate",
    response={200: PublicComplaintOut, **ANSWER_ERRORS},
    auth=None,
    openapi_extra=json_body(PublicRateIn, "The customer rates the handling once resolved (once)."),
)
def public_rate_handling(request: HttpRequest, number: str) -> dict[str, Any]:
    _limit(request, "public_answer")
    body = json_object(request)
    complaint = public_rate(
        number=number,
        contact=_text(body, "contact"),
        satisfied=body.get("satisfied"),
        score=body.get("score"),
        comment=body.get("comment"),
        now=clock.now(),
    )
    return public_view(complaint)
