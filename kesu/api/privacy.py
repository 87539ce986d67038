"""Personal data on request (PIPL), for managers and administrators: export a customer's data
as JSON, erase it (refused with 409 and the reason while a legal hold applies). An extension of
the contract, documented in docs/api-privacy.md."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from kesu.api.access import AuthedRequest
from kesu.api.schemas import ErrorOut
from kesu.core import clock
from kesu.customers.privacy import customer_erase, customer_export

router = Router(tags=["privacy"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ErasureOut(Schema):
    customer: int
    erased_at: str
    complaints: list[str]


@router.get("/customers/{customer_id}/personal-data", response={200: dict[str, Any], **ERRORS})
def personal_data_export(request: AuthedRequest, customer_id: int) -> dict[str, Any]:
    """Everything held about the customer: identity, contact points, complaints, public timeline,
    messages sent to them."""
    return customer_export(actor=request.user, customer_id=customer_id, now=clock.now())


@router.post("/customers/{customer_id}/erasure", response={200: ErasureOut, **ERRORS})
def personal_data_erase(request: AuthedRequest, customer_id: int) -> dict[str, Any]:
    """Anonymise the customer's personal fields and contact points (audited). 409 while a
    complaint is open, or one involving money is within its retention period."""
    erased = customer_erase(actor=request.user, customer_id=customer_id, now=clock.now())
    return {"customer": erased.customer_id, "erased_at": erased.erased_at.isoformat(), "complaints": erased.complaints}
