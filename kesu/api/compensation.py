"""Money at the desk (SPEC RS-6, RS-7, RS-8, IV-2): the compensation standard of a complaint,
petty-cash vouchers, held receivables, supplier cost recovery and loss assessments.
See docs/compensation.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, money, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.compensation import selectors, services
from kesu.compensation.models import HeldReceivable, LossAssessment, PettyCashVoucher, SupplierRecovery
from kesu.core import clock

router = Router(tags=["compensation"])


class StandardOut(Schema):
    category: str
    remedy_type: str
    min_amount: str
    max_amount: str
    note: str


class ComplaintStandardOut(Schema):
    standard: StandardOut | None


class VoucherIn(Schema):
    amount: str = Field(description="Decimal string, more than 0.")
    payee: str
    purpose: str
    solution: int | None = Field(None, description="The solution's id; default the current approved one.")


class VoucherDecisionIn(Schema):
    note: str | None = None


class VoucherOut(Schema):
    id: int
    number: str
    complaint: str
    solution: int
    amount: str
    payee: str
    purpose: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    countersigned_by: str | None
    countersigned_at: dt.datetime | None
    countersign_due: dt.datetime | None
    overdue: bool


class VoucherListOut(Schema):
    count: int
    results: list[VoucherOut]


class VoucherQuery(Schema):
    status: str | None = None


class ReceivableIn(Schema):
    reference: str
    amount: str
    note: str | None = None


class ReceivableSettleIn(Schema):
    outcome: str = Field(description="`released` (not upheld: finance collects) or `offset`.")


class ReceivableOut(Schema):
    id: int
    reference: str
    amount: str
    status: str
    held_by: str
    held_at: dt.datetime
    released_by: str | None
    released_at: dt.datetime | None


class RecoveryIn(Schema):
    supplier: str
    amount: str
    reason: str


class RecoveryAnswerIn(Schema):
    accepted: bool
    answer: str


class RecoveryDecisionIn(Schema):
    pay: bool
    note: str | None = None


class RecoveryOut(Schema):
    id: int
    supplier: str
    amount: str
    reason: str
    status: str
    supplier_answer: str
    decided_by: str | None
    decision_note: str


class LossIn(Schema):
    lines: dict[str, str] = Field(description="Loss standard code → quantity (units, 1, or the base value).")
    responsibility: str | None = None


class LossOut(Schema):
    id: int
    lines: list[dict[str, str]]
    responsibility: str
    loss_amount: str
    penalty_amount: str
    proposed_by: str
    proposed_at: dt.datetime


def voucher_dict(v: PettyCashVoucher, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "complaint": v.complaint.number,
        "solution": v.solution_id,
        "amount": str(v.amount),
        "payee": v.payee,
        "purpose": v.purpose,
        "status": v.status,
        "requested_by": v.requested_by.username,
        "requested_at": v.requested_at,
        "approved_by": name(v.approved_by),
        "approved_at": v.approved_at,
        "countersigned_by": name(v.countersigned_by),
        "countersigned_at": v.countersigned_at,
        "countersign_due": v.countersign_due,
        "overdue": selectors.voucher_overdue(v, now),
    }


def _receivable(r: HeldReceivable) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reference": r.reference,
        "amount": str(r.amount),
        "status": r.status,
        "held_by": r.held_by.username,
        "held_at": r.held_at,
        "released_by": name(r.released_by),
        "released_at": r.released_at,
    }


def _recovery(r: SupplierRecovery) -> dict[str, Any]:
    return {
        "id": r.pk,
        "supplier": r.supplier,
        "amount": str(r.amount),
        "reason": r.reason,
        "status": r.status,
        "supplier_answer": r.supplier_answer,
        "decided_by": name(r.decided_by),
        "decision_note": r.decision_note,
    }


def _loss(row: LossAssessment) -> dict[str, Any]:
    return {
        "id": row.pk,
        "lines": row.lines,
        "responsibility": row.responsibility,
        "loss_amount": str(row.loss_amount),
        "penalty_amount": str(row.penalty_amount),
        "proposed_by": row.proposed_by.username,
        "proposed_at": row.proposed_at,
    }


def _fresh_voucher(request: AuthedRequest, voucher_id: int) -> dict[str, Any]:
    voucher = selectors.voucher_get(user=request.user, voucher_id=voucher_id)
    return voucher_dict(voucher, clock.now())


@router.get("/complaints/{number}/compensation-standard", response={200: ComplaintStandardOut, **ERRORS})
def complaint_standard(request: AuthedRequest, number: str) -> dict[str, Any]:
    complaint = complaint_of(request, number)
    row = services.standard_for(complaint.category)
    if row is None:
        return {"standard": None}
    return {
        "standard": {
            "category": row.category.code,
            "remedy_type": row.remedy_type,
            "min_amount": money(row.min_amount),
            "max_amount": money(row.max_amount),
            "note": row.note,
        }
    }


@router.post(
    "/complaints/{number}/vouchers",
    response={201: VoucherOut, **ERRORS},
    openapi_extra=json_body(VoucherIn, "A petty-cash voucher (备用金借支单) on an approved solution."),
)
def voucher_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    solution = payload.get("solution")
    voucher = services.voucher_request(
        actor=request.user,
        number=number,
        amount=payload.get("amount"),
        payee=payload.get("payee") or "",
        purpose=payload.get("purpose") or "",
        solution_id=solution if isinstance(solution, int) and not isinstance(solution, bool) else None,
        now=clock.now(),
    )
    return Status(201, _fresh_voucher(request, voucher.pk))


@router.get("/vouchers", response={200: VoucherListOut, **ERRORS})
def voucher_list(request: AuthedRequest, query: Query[VoucherQuery]) -> dict[str, Any]:
    now = clock.now()
    rows = list(selectors.voucher_list(user=request.user, status=query.status))
    return {"count": len(rows), "results": [voucher_dict(v, now) for v in rows]}


@router.post(
    "/vouchers/{voucher_id}/approve",
    response={200: VoucherOut, **ERRORS},
    openapi_extra=json_body(VoucherDecisionIn, "Shift supervisor up to 100 CNY; beyond, the manager or GM."),
)
def voucher_approve(request: AuthedRequest, voucher_id: int) -> dict[str, Any]:
    payload = json_object(request) if request.body else {}
    note = payload.get("note")
    services.voucher_approve(
        actor=request.user, voucher_id=voucher_id, note=note if isinstance(note, str) else "", now=clock.now()
    )
    return _fresh_voucher(request, voucher_id)


@router.post(
    "/vouchers/{voucher_id}/reject",
    response={200: VoucherOut, **ERRORS},
    openapi_extra=json_body(VoucherDecisionIn, "Refuses the voucher, with the reason."),
)
def voucher_reject(request: AuthedRequest, voucher_id: int) -> dict[str, Any]:
    payload = json_object(request)
    services.voucher_reject(actor=request.user, voucher_id=voucher_id, note=payload.get("note") or "", now=clock.now())
    return _fresh_voucher(request, voucher_id)


@router.post(
    "/vouchers/{voucher_id}/countersign",
    response={200: VoucherOut, **ERRORS},
    openapi_extra=json_body(VoucherDecisionIn, "The customer-service manager countersigns what was paid."),
)
def voucher_countersign(request: AuthedRequest, voucher_id: int) -> dict[str, Any]:
    payload = json_object(request) if request.body else {}
    note = payload.get("note")
    services.voucher_countersign(
        actor=request.user, voucher_id=voucher_id, note=note if isinstance(note, str) else "", now=clock.now()
    )
    return _fresh_voucher(request, voucher_id)


@router.post(
    "/complaints/{number}/receivables",
    response={201: ReceivableOut, **ERRORS},
    openapi_extra=json_body(ReceivableIn, "Holds a receivable back while the complaint is open (RS-8)."),
)
def receivable_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    row = services.receivable_hold(
        actor=request.user,
        number=number,
        reference=payload.get("reference") or "",
        amount=payload.get("amount"),
        note=payload.get("note") or "",
        now=clock.now(),
    )
    return Status(201, _receivable(row))


@router.post(
    "/complaints/{number}/receivables/{receivable_id}/settle",
    response={200: ReceivableOut, **ERRORS},
    openapi_extra=json_body(ReceivableSettleIn, "Releases it to finance, or offsets it."),
)
def receivable_settle(request: AuthedRequest, number: str, receivable_id: int) -> dict[str, Any]:
    payload = json_object(request)
    row = services.receivable_settle(
        actor=request.user,
        number=number,
        receivable_id=receivable_id,
        outcome=str(payload.get("outcome") or ""),
        now=clock.now(),
    )
    return _receivable(row)


@router.post(
    "/complaints/{number}/supplier-recoveries",
    response={201: RecoveryOut, **ERRORS},
    openapi_extra=json_body(RecoveryIn, "Claims the cost from the supplier (IV-2)."),
)
def recovery_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    row = services.recovery_open(
        actor=request.user,
        number=number,
        supplier=payload.get("supplier") or "",
        amount=payload.get("amount"),
        reason=payload.get("reason") or "",
        now=clock.now(),
    )
    return Status(201, _recovery(row))


@router.post(
    "/complaints/{number}/supplier-recoveries/{recovery_id}/answer",
    response={200: RecoveryOut, **ERRORS},
    openapi_extra=json_body(RecoveryAnswerIn, "The supplier's answer; a refusal goes to the GM."),
)
def recovery_answer(request: AuthedRequest, number: str, recovery_id: int) -> dict[str, Any]:
    payload = json_object(request)
    row = services.recovery_answer(
        actor=request.user,
        number=number,
        recovery_id=recovery_id,
        accepted=payload.get("accepted") is True,
        answer=payload.get("answer") or "",
        now=clock.now(),
    )
    return _recovery(row)


@router.post(
    "/complaints/{number}/supplier-recoveries/{recovery_id}/decide",
    response={200: RecoveryOut, **ERRORS},
    openapi_extra=json_body(RecoveryDecisionIn, "The GM decides whether the company pays."),
)
def recovery_decide(request: AuthedRequest, number: str, recovery_id: int) -> dict[str, Any]:
    payload = json_object(request)
    row = services.recovery_gm_decide(
        actor=request.user,
        number=number,
        recovery_id=recovery_id,
        pay=payload.get("pay") is True,
        note=payload.get("note") or "",
        now=clock.now(),
    )
    return _recovery(row)


@router.post(
    "/complaints/{number}/loss-assessments",
    response={201: LossOut, **ERRORS},
    openapi_extra=json_body(LossIn, "Loss and penalty computed from the written standards (IV-2)."),
)
def loss_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    lines = payload.get("lines")
    row = services.loss_assess(
        actor=request.user,
        number=number,
        lines=lines if isinstance(lines, dict) else {},
        responsibility=str(payload.get("responsibility") or ""),
        now=clock.now(),
    )
    return Status(201, _loss(row))
