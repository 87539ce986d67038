"""Returns and allowances: credit notes and return slips, receipts, and the finance list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, money, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import InDatetime
from kesu.complaints.validation import Collector
from kesu.core import clock
from kesu.resolution import returns
from kesu.resolution.common import whole_number
from kesu.resolution.models import ReturnDocument

router = Router(tags=["resolution"])


class ReturnIn(Schema):
    kind: Literal["credit_note", "return_slip"]
    item: str | None = None
    lot: str | None = None
    approved_quantity: int | None = Field(None, ge=1)
    unit_price: str | None = None
    amount: str | None = Field(
        None, description="Required for a credit note; a return slip defaults to quantity × unit price."
    )
    note: str | None = None


class ReceiptIn(Schema):
    returned_quantity: int = Field(ge=0)


class ReturnOut(Schema):
    id: int
    number: str
    complaint: str
    kind: str
    item: str
    lot: str
    approved_quantity: int | None
    returned_quantity: int | None
    unit_price: str | None
    amount: str
    credited_amount: str
    reconciliation: str
    note: str
    created_by: str | None
    created_at: dt.datetime
    received_at: dt.datetime | None


class ReturnListOut(Schema):
    count: int
    total_amount: str
    results: list[ReturnOut]


def return_dict(document: ReturnDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "number": document.number,
        "complaint": document.complaint.number,
        "kind": document.kind,
        "item": document.item,
        "lot": document.lot,
        "approved_quantity": document.approved_quantity,
        "returned_quantity": document.returned_quantity,
        "unit_price": money(document.unit_price),
        "amount": str(document.amount),
        "credited_amount": str(returns.credited_amount(document)),
        "reconciliation": document.reconciliation,
        "note": document.note,
        "created_by": name(document.created_by),
        "created_at": document.created_at,
        "received_at": document.received_at,
    }


@router.get(
    "/complaints/{number}/returns",
    response={200: list[ReturnOut], **ERRORS},
    operation_id="kesu_api_resolution_returns_of_complaint",
)
def returns_of_complaint(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    return [return_dict(d) for d in complaint.return_documents.select_related("complaint", "created_by")]


@router.post(
    "/complaints/{number}/returns",
    response={201: ReturnOut, **ERRORS},
    openapi_extra=json_body(ReturnIn, "A credit note or a return slip for the accepted solution."),
    operation_id="kesu_api_resolution_return_create",
)
def return_create(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    kind = c.text(payload, "kind", "kind", max_length=20, required=True)
    item = c.text(payload, "item", "item", max_length=200)
    lot = c.text(payload, "lot", "lot", max_length=80)
    quantity = whole_number(c, payload, "approved_quantity", "approved_quantity", minimum=1)
    unit_price = c.amount(payload, "unit_price", "unit_price")
    amount = c.amount(payload, "amount", "amount")
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    document = returns.return_document_create(
        actor=request.user,
        number=number,
        kind=kind,
        item=item,
        lot=lot,
        approved_quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        note=note,
        now=clock.now(),
    )
    return Status(201, return_dict(document))


@router.post(
    "/complaints/{number}/returns/{document_id}/receipt",
    response={200: ReturnOut, **ERRORS},
    openapi_extra=json_body(ReceiptIn, "The quantity actually returned."),
    operation_id="kesu_api_resolution_return_receipt",
)
def return_receipt(request: AuthedRequest, number: str, document_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    quantity = whole_number(c, payload, "returned_quantity", "returned_quantity", required=True)
    c.raise_if_any()
    assert quantity is not None
    document = returns.return_receipt_record(
        actor=request.user, number=number, document_id=document_id, returned_quantity=quantity, now=clock.now()
    )
    return return_dict(document)


class FinanceQuery(Schema):
    kind: Literal["credit_note", "return_slip"] | None = None
    reconciliation: Literal["awaiting", "matched", "discrepancy", "not_applicable"] | None = None
    created_from: InDatetime | None = None
    created_to: InDatetime | None = None


@router.get(
    "/finance/returns", response={200: ReturnListOut, **ERRORS}, operation_id="kesu_api_resolution_finance_returns"
)
def finance_returns(request: AuthedRequest, filters: Query[FinanceQuery]) -> dict[str, Any]:
    documents = list(
        returns.finance_returns(
            user=request.user,
            kind=filters.kind,
            reconciliation=filters.reconciliation,
            created_from=filters.created_from,
            created_to=filters.created_to,
        )
    )
    rows = [return_dict(d) for d in documents]
    total = sum((returns.credited_amount(d) for d in documents), Decimal("0.00"))
    return {"count": len(rows), "total_amount": str(total), "results": rows}
