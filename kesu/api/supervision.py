"""Supervision endpoints (SPEC SV-1, SV-2, SV-4): CAPAs, review samples, reviews, roll-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import AuthedRequest
from kesu.api.schemas import ErrorOut, InDate, InDatetime
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.supervision import selectors, services
from kesu.supervision.models import CorrectiveAction, QualityReview, SampleRun

router = Router(tags=["supervision"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CapaIn(Schema):
    complaints: list[str] = Field(description="Complaint numbers (one or many).")
    title: str
    actions: str = Field(description="The corrective and preventive actions to take.")
    owner: str = Field(description="Username of the owner.")
    due_at: InDatetime = Field(description="ISO 8601 with offset.")
    nonconformity: str = ""
    root_cause: str = ""


class CapaCompleteIn(Schema):
    note: str


class CapaVerifyIn(Schema):
    effective: bool
    note: str
    due_at: InDatetime | None = Field(None, description="Required when not effective: the new due date.")


class CapaEventOut(Schema):
    kind: str
    actor: str | None
    at: dt.datetime
    note: str
    data: dict[str, Any]


class CapaOut(Schema):
    id: int
    title: str
    nonconformity: str
    root_cause: str
    actions: str
    complaints: list[str]
    owner: str
    department: str | None
    due_at: dt.datetime
    status: str
    overdue: bool
    escalation_level: int
    completed_at: dt.datetime | None
    completion_note: str
    verified_by: str | None
    verified_at: dt.datetime | None
    verification_note: str
    history: list[CapaEventOut] | None = None


class CapaListOut(Schema):
    count: int
    results: list[CapaOut]


class CapaQuery(Schema):
    status: str | None = None
    overdue: bool | None = None


class SampleIn(Schema):
    period_start: InDate
    period_end: InDate
    size: int
    seed: int | None = None


class ReviewOut(Schema):
    id: int
    complaint: str
    department: str | None
    reviewer: str | None
    score: int | None
    findings: str
    reviewed_at: dt.datetime | None


class SampleOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    size: int
    seed: int
    population: int
    drawn_by: str
    drawn_at: dt.datetime
    reviews: list[ReviewOut]


class ReviewIn(Schema):
    score: int
    findings: str


class RollupQuery(Schema):
    date_from: InDate
    date_to: InDate


class RollupRowOut(Schema):
    key: str
    name: str
    complaints: int
    our_fault: int
    loss: str
    penalty: str
    reviewed: int
    average_score: str | None
    capas_open: int
    capas_overdue: int
    capas_verified: int


class RollupOut(Schema):
    source: str = Field(description="investigation: from the recorded responsibility; complaints: handling only.")
    date_from: dt.date
    date_to: dt.date
    departments: list[RollupRowOut]
    people: list[RollupRowOut]


def _capa(capa: CorrectiveAction, *, history: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": capa.pk,
        "title": capa.title,
        "nonconformity": capa.nonconformity,
        "root_cause": capa.root_cause,
        "actions": capa.actions,
        "complaints": sorted(c.number for c in capa.complaints.all()),
        "owner": capa.owner.username,
        "department": capa.department.code if capa.department else None,
        "due_at": capa.due_at,
        "status": capa.status,
        "overdue": capa.overdue,
        "escalation_level": capa.escalation_level,
        "completed_at": capa.completed_at,
        "completion_note": capa.completion_note,
        "verified_by": capa.verified_by.username if capa.verified_by else None,
        "verified_at": capa.verified_at,
        "verification_note": capa.verification_note,
    }
    if history:
        data["history"] = [
            {"kind": e.kind, "actor": e.actor.username if e.actor else None, "at": e.at, "note": e.note, "data": e.data}
            for e in capa.events.all()
        ]
    return data


def _fresh_capa(request: AuthedRequest, capa_id: int) -> dict[str, Any]:
    capa = selectors.capa_get(user=request.user, capa_id=capa_id)
    if capa is None:
        raise NotFound(_("No CAPA has this number."))
    return _capa(capa, history=True)


def _review(review: QualityReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "complaint": review.complaint.number,
        "department": review.department.code if review.department else None,
        "reviewer": review.reviewer.username if review.reviewer else None,
        "score": review.score,
        "findings": review.findings,
        "reviewed_at": review.reviewed_at,
    }


def _sample(run: SampleRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "size": run.size,
        "seed": run.seed,
        "population": run.population,
        "drawn_by": run.drawn_by.username,
        "drawn_at": run.drawn_at,
        "reviews": [_review(r) for r in selectors.sample_reviews(run)],
    }


@router.post("/capas", response={201: CapaOut, **ERRORS})
def capa_create(request: AuthedRequest, body: CapaIn) -> Status[dict[str, Any]]:
    capa = services.capa_create(
        actor=request.user,
        complaints=body.complaints,
        title=body.title,
        actions=body.actions,
        owner=body.owner,
        due=body.due_at,
        now=clock.now(),
        nonconformity=body.nonconformity,
        root_cause=body.root_cause,
    )
    return Status(201, _fresh_capa(request, capa.pk))


@router.get("/capas", response={200: CapaListOut, **ERRORS})
def capa_list(request: AuthedRequest, query: Query[CapaQuery]) -> dict[str, Any]:
    rows = list(selectors.capa_list(user=request.user, status=query.status, overdue=query.overdue))
    return {"count": len(rows), "results": [_capa(capa) for capa in rows]}


@router.get("/capas/{capa_id}", response={200: CapaOut, **ERRORS})
def capa_detail(request: AuthedRequest, capa_id: int) -> dict[str, Any]:
    return _fresh_capa(request, capa_id)


@router.post("/capas/{capa_id}/complete", response={200: CapaOut, **ERRORS})
def capa_complete(request: AuthedRequest, capa_id: int, body: CapaCompleteIn) -> dict[str, Any]:
    services.capa_complete(actor=request.user, capa_id=capa_id, note=body.note, now=clock.now())
    return _fresh_capa(request, capa_id)


@router.post("/capas/{capa_id}/verify", response={200: CapaOut, **ERRORS})
def capa_verify(request: AuthedRequest, capa_id: int, body: CapaVerifyIn) -> dict[str, Any]:
    services.capa_verify(
        actor=request.user,
        capa_id=capa_id,
        effective=body.effective,
        note=body.note,
        new_due=body.due_at,
        now=clock.now(),
    )
    return _fresh_capa(request, capa_id)


@router.post("/supervision/samples", response={201: SampleOut, **ERRORS})
def sample_draw(request: AuthedRequest, body: SampleIn) -> Status[dict[str, Any]]:
    run = services.sample_draw(
        actor=request.user,
        period_start=body.period_start,
        period_end=body.period_end,
        size=body.size,
        seed=body.seed,
        now=clock.now(),
    )
    return Status(201, _sample(run))


@router.get("/supervision/samples/{run_id}", response={200: SampleOut, **ERRORS})
def sample_detail(request: AuthedRequest, run_id: int) -> dict[str, Any]:
    run = selectors.sample_get(user=request.user, run_id=run_id)
    if run is None:
        raise NotFound(_("No sample has this number."))
    return _sample(run)


@router.post("/supervision/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def review(request: AuthedRequest, review_id: int, body: ReviewIn) -> dict[str, Any]:
    saved = services.review_record(
        actor=request.user, review_id=review_id, score=body.score, findings=body.findings, now=clock.now()
    )
    return _review(QualityReview.objects.select_related("complaint", "department", "reviewer").get(pk=saved.pk))


@router.get("/supervision/rollup", response={200: RollupOut, **ERRORS})
def rollup(request: AuthedRequest, query: Query[RollupQuery]) -> dict[str, Any]:
    result = selectors.responsibility_rollup(user=request.user, date_from=query.date_from, date_to=query.date_to)
    return {
        "source": result.source,
        "date_from": result.date_from,
        "date_to": result.date_to,
        "departments": [row.as_dict() for row in result.departments],
        "people": [row.as_dict() for row in result.people],
    }
