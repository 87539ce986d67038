"""Validity rulings and the judged staff member's appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.complaints.validation import Collector
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.resolution import adjudication
from kesu.resolution.common import user_ref
from kesu.resolution.models import Adjudication

router = Router(tags=["resolution"])


class AdjudicationIn(Schema):
    kind: Literal["major", "service", "business", "service_error"]
    reason: str
    staff: str | None = Field(None, description="Username of the staff member whose handling was judged.")


class AppealOut(Schema):
    id: int
    appellant: str | None
    reason: str
    lodged_at: dt.datetime
    answer_due: dt.datetime
    reviewer: str | None
    decision: str
    answer: str
    answered_at: dt.datetime | None
    overdue: bool = Field(description="§7: still unanswered after answer_due.")
    escalated_at: dt.datetime | None = Field(description="When the sweep escalated it as overdue (once).")


class AdjudicationOut(Schema):
    id: int
    validity: str
    kind: str
    reason: str
    staff: str | None
    ruled_by: str | None
    ruled_at: dt.datetime
    appeal_until: dt.datetime
    appeal: AppealOut | None


class AppealIn(Schema):
    reason: str


class AppealAnswerIn(Schema):
    decision: Literal["upheld", "overturned"]
    answer: str


def adjudication_dict(ruling: Adjudication) -> dict[str, Any]:
    appeal = getattr(ruling, "appeal", None)
    return {
        "id": ruling.pk,
        "validity": ruling.validity,
        "kind": ruling.kind,
        "reason": ruling.reason,
        "staff": name(ruling.staff),
        "ruled_by": name(ruling.ruled_by),
        "ruled_at": ruling.ruled_at,
        "appeal_until": ruling.ruled_at + adjudication.APPEAL_WINDOW,
        "appeal": None
        if appeal is None
        else {
            "id": appeal.pk,
            "appellant": name(appeal.appellant),
            "reason": appeal.reason,
            "lodged_at": appeal.lodged_at,
            "answer_due": appeal.answer_due,
            "reviewer": name(appeal.reviewer),
            "decision": appeal.decision,
            "answer": appeal.answer,
            "answered_at": appeal.answered_at,
            "overdue": adjudication.appeal_overdue(appeal, clock.now()),
            "escalated_at": appeal.escalated_at,
        },
    }


@router.get(
    "/complaints/{number}/adjudications",
    response={200: list[AdjudicationOut], **ERRORS},
    operation_id="kesu_api_resolution_adjudications_list",
)
def adjudications_list(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    rulings = complaint.adjudications.select_related("staff", "ruled_by", "appeal__appellant", "appeal__reviewer")
    return [adjudication_dict(r) for r in rulings.order_by("ruled_at", "id")]


@router.post(
    "/complaints/{number}/adjudication",
    response={201: AdjudicationOut, **ERRORS},
    openapi_extra=json_body(
        AdjudicationIn, "Rule the complaint valid (status unchanged); invalid rulings are the `rule_invalid` action."
    ),
    operation_id="kesu_api_resolution_adjudicate",
)
def adjudicate(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    kind = c.text(payload, "kind", "kind", max_length=30, required=True)
    reason = c.text(payload, "reason", "reason", max_length=4000, required=True)
    staff = user_ref(c, payload, "staff", "staff")
    c.raise_if_any()
    ruling = adjudication.adjudication_rule_valid(
        actor=request.user, number=number, kind=kind, reason=reason, staff=staff, now=clock.now()
    )
    return Status(201, adjudication_dict(ruling))


@router.post(
    "/complaints/{number}/adjudications/{adjudication_id}/appeal",
    response={201: AdjudicationOut, **ERRORS},
    openapi_extra=json_body(AppealIn, "The judged staff member's appeal, within 7 days."),
    operation_id="kesu_api_resolution_appeal",
)
def appeal(request: AuthedRequest, number: str, adjudication_id: int) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=4000, required=True)
    c.raise_if_any()
    lodged = adjudication.appeal_lodge(
        actor=request.user, number=number, adjudication_id=adjudication_id, reason=reason, now=clock.now()
    )
    return Status(201, adjudication_dict(lodged.adjudication))


@router.post(
    "/complaints/{number}/adjudications/{adjudication_id}/appeal/answer",
    response={200: AdjudicationOut, **ERRORS},
    openapi_extra=json_body(AppealAnswerIn, "The reviewer's answer, within 1 working day."),
    operation_id="kesu_api_resolution_appeal_answer",
)
def appeal_answer(request: AuthedRequest, number: str, adjudication_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    decision = c.text(payload, "decision", "decision", max_length=20, required=True)
    answer = c.text(payload, "answer", "answer", max_length=4000, required=True)
    c.raise_if_any()
    complaint = complaint_of(request, number)
    ruling = complaint.adjudications.filter(pk=adjudication_id).select_related("appeal").first()
    found = getattr(ruling, "appeal", None) if ruling is not None else None
    if found is None:
        raise NotFound(_("This ruling has not been appealed."))
    answered = adjudication.appeal_answer(
        actor=request.user, number=number, appeal_id=found.pk, decision=decision, answer=answer, now=clock.now()
    )
    return adjudication_dict(answered.adjudication)
