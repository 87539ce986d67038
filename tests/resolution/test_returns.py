"""Credit notes and return slips (RS-5), reconciliation with a tolerance, the finance list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.core.errors import Conflict, PermissionDenied
from kesu.resolution.returns import finance_returns, return_document_create, return_receipt_record
from tests.complaints.lifecycle import act, audit_of, events_of
from tests.conftest import make_user
from tests.resolution.conftest import everything, refused


@pytest.fixture
def accepted(complaint_in, users, now):
    """Accepted: alternative 1 is a 30.00 allowance plus the return of the goods."""

    def _make(remedies=None):
        complaint = complaint_in("investigating")
        act(
            users,
            "manager",
            complaint,
            "propose_solution",
            now,
            remedies=remedies or [{"type": "allowance", "amount": "30.00"}, {"type": "return", "amount": "0"}],
        )
        act(users, "agent", complaint, "customer_accept", now)
        return complaint

    return _make


def slip(users, complaint, now, quantity: int = 100, price: str = "2.50"):
    return return_document_create(
        actor=users["manager"],
        number=complaint.number,
        kind="return_slip",
        item="",
        lot="",
        approved_quantity=quantity,
        unit_price=Decimal(price),
        amount=None,
        note="",
        now=now,
    )


def test_documents_follow_an_accepted_solution_only(complaint_in, users, now, client_as):
    complaint = complaint_in("solution_proposed")
    response, unchanged = refused(
        client_as("manager").post,
        f"/api/v1/complaints/{complaint.number}/returns",
        {"kind": "credit_note", "amount": "10.00"},
    )
    assert (response.status_code, unchanged) == (409, True)


def test_credit_note_for_the_allowance(accepted, client_as):
    complaint = accepted()
    response = client_as("manager").post(
        f"/api/v1/complaints/{complaint.number}/returns", {"kind": "credit_note", "amount": "30.00", "note": "销货折让"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["number"], data["amount"], data["credited_amount"], data["reconciliation"]) == (
        f"CN-{complaint.number}-01",
        "30.00",
        "30.00",
        "not_applicable",
    )
    assert events_of(complaint)[-1].kind == "return_document_issued"
    assert audit_of(complaint)[-1].action == "complaint.return_document_issued"


def test_credit_notes_cannot_exceed_the_accepted_remedies(accepted, users, now):
    complaint = accepted()
    return_document_create(
        actor=users["manager"],
        number=complaint.number,
        kind="credit_note",
        item="",
        lot="",
        approved_quantity=None,
        unit_price=None,
        amount=Decimal("20.00"),
        note="",
        now=now,
    )
    before = everything()
    with pytest.raises(Conflict):
        return_document_create(
            actor=users["manager"],
            number=complaint.number,
            kind="credit_note",
            item="",
            lot="",
            approved_quantity=None,
            unit_price=None,
            amount=Decimal("10.01"),
            note="",
            now=now,
        )
    assert everything() == before


def test_a_document_needs_a_matching_remedy(accepted, users, now):
    complaint = accepted(remedies=[{"type": "apology", "amount": "0"}])
    with pytest.raises(Conflict):
        slip(users, complaint, now)


def test_return_slip_amount_and_exact_return_matches(accepted, users, now):
    complaint = accepted()
    document = slip(users, complaint, now)
    assert (document.number, document.amount, document.reconciliation) == (
        f"RS-{complaint.number}-01",
        Decimal("250.00"),
        "awaiting",
    )
    document = return_receipt_record(
        actor=users["agent"], number=complaint.number, document_id=document.pk, returned_quantity=100, now=now
    )
    assert document.reconciliation == "matched"


@pytest.mark.parametrize(
    ("tolerance", "returned", "expected"),
    [
        ("0", 99, "discrepancy"),
        ("2", 98, "matched"),
        ("2", 97, "discrepancy"),
        ("2", 102, "matched"),
        ("2", 103, "discrepancy"),
    ],
)
def test_returned_quantity_is_reconciled_within_the_tolerance(
    accepted, users, now, settings, tolerance, returned, expected
):
    settings.KESU_RETURN_TOLERANCE_PERCENT = tolerance
    complaint = accepted()
    document = slip(users, complaint, now)
    document = return_receipt_record(
        actor=users["agent"], number=complaint.number, document_id=document.pk, returned_quantity=returned, now=now
    )
    assert document.reconciliation == expected


def test_returned_goods_are_recorded_once(accepted, users, now):
    complaint = accepted()
    document = slip(users, complaint, now)
    return_receipt_record(
        actor=users["agent"], number=complaint.number, document_id=document.pk, returned_quantity=90, now=now
    )
    before = everything()
    with pytest.raises(Conflict):
        return_receipt_record(
            actor=users["agent"], number=complaint.number, document_id=document.pk, returned_quantity=100, now=now
        )
    assert everything() == before


def test_finance_list_for_finance_and_managers(accepted, users, now, client_as, settings):
    settings.KESU_RETURN_TOLERANCE_PERCENT = "0"
    complaint = accepted()
    document = slip(users, complaint, now, quantity=10, price="5.00")
    return_receipt_record(
        actor=users["agent"], number=complaint.number, document_id=document.pk, returned_quantity=8, now=now
    )
    return_document_create(
        actor=users["manager"],
        number=complaint.number,
        kind="credit_note",
        item="",
        lot="",
        approved_quantity=None,
        unit_price=None,
        amount=Decimal("30.00"),
        note="",
        now=now,
    )
    make_user("cashier", "handler", "finance")
    body = client_as("cashier").get("/api/v1/finance/returns").json()
    assert (body["count"], body["total_amount"]) == (2, "70.00")  # 8 × 5.00 returned + 30.00 allowance
    assert (
        client_as("manager").get("/api/v1/finance/returns", kind="return_slip").json()["results"][0]["reconciliation"]
        == "discrepancy"
    )
    assert client_as("manager").get("/api/v1/finance/returns", reconciliation="matched").json()["count"] == 0
    assert client_as("agent").get("/api/v1/finance/returns").status_code == 403
    assert client_as("handler").get("/api/v1/finance/returns").status_code == 403
    with pytest.raises(PermissionDenied):
        finance_returns(user=users["supervisor"])
