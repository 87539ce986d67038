"""Solutions with their approval history, and satisfaction callbacks (read; both are written by actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, money, name
from kesu.resolution.models import Solution

router = Router(tags=["resolution"])


class RemedyOut(Schema):
    alternative: int
    type: str
    amount: str
    note: str


class DecisionOut(Schema):
    decision: str
    by: str | None
    role: str
    authority_limit: str | None
    at: dt.datetime
    note: str


class SolutionOut(Schema):
    round: int
    status: str
    total: str
    description: str
    proposed_by: str | None
    proposed_at: dt.datetime
    responsible: str | None = Field(description="RS-2: who carries the solution out.")
    due_at: dt.datetime | None = Field(description="RS-2: when it is to be carried out by (the solution_due deadline).")
    alternatives: int
    accepted_alternative: int | None
    remedies: list[RemedyOut]
    decisions: list[DecisionOut] = Field(description="The approval history of this round.")
    customer_answered_at: dt.datetime | None
    customer_note: str


class CallbackOut(Schema):
    at: dt.datetime
    by: str | None
    method: str
    reached: bool
    satisfied: bool | None
    score: int | None
    comment: str


def solution_dict(solution: Solution) -> dict[str, Any]:
    return {
        "round": solution.round,
        "status": solution.status,
        "total": str(solution.total),
        "description": solution.description,
        "proposed_by": name(solution.proposed_by),
        "proposed_at": solution.proposed_at,
        "responsible": name(solution.responsible),
        "due_at": solution.due_at,
        "alternatives": solution.alternatives,
        "accepted_alternative": solution.accepted_alternative,
        "remedies": [
            {"alternative": r.alternative, "type": r.type, "amount": str(r.amount), "note": r.note}
            for r in solution.remedies.order_by("alternative", "id")
        ],
        "decisions": [
            {
                "decision": d.decision,
                "by": name(d.by),
                "role": d.role,
                "authority_limit": money(d.authority_limit),
                "at": d.at,
                "note": d.note,
            }
            for d in solution.decisions.select_related("by").order_by("at", "id")
        ],
        "customer_answered_at": solution.customer_answered_at,
        "customer_note": solution.customer_note,
    }


@router.get(
    "/complaints/{number}/solutions",
    response={200: list[SolutionOut], **ERRORS},
    operation_id="kesu_api_resolution_solutions_list",
)
def solutions_list(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    return [
        solution_dict(s) for s in complaint.solutions.select_related("proposed_by", "responsible").order_by("round")
    ]


@router.get(
    "/complaints/{number}/callbacks",
    response={200: list[CallbackOut], **ERRORS},
    operation_id="kesu_api_resolution_callbacks_list",
)
def callbacks_list(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    return [
        {
            "at": cb.at,
            "by": name(cb.by),
            "method": cb.method,
            "reached": cb.reached,
            "satisfied": cb.satisfied,
            "score": cb.score,
            "comment": cb.comment,
        }
        for cb in complaint.callbacks.select_related("by").order_by("at", "id")
    ]
