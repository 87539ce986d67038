"""Money at the desk (SPEC RS-6, RS-7, RS-8, IV-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kesu.compensation import services
from kesu.compensation.models import CompensationStandard, HeldReceivable, LossStandard, PettyCashVoucher
from kesu.complaints.services.transitions import complaint_transition
from kesu.notifications.models import OutboxMessage
from kesu.triage.models import Category
from tests.compensation.conftest import everything
from tests.complaints.lifecycle import act

pytestmark = pytest.mark.django_db


def _standard(code: str = "product_quality", high: str = "100.00") -> CompensationStandard:
    return CompensationStandard.objects.create(
        category=Category.objects.get(code=code), remedy_type="refund", min_amount=0, max_amount=Decimal(high)
    )


def _propose(users, complaint, now, amount: str, **extra):
    return complaint_transition(
        actor=users["handler"],
        number=complaint.number,
        action="propose_solution",
        payload={"action": "propose_solution", "remedies": [{"type": "refund", "amount": amount}], **extra},
        now=now,
    )


# --- RS-6 ---------------------------------------------------------------------------------------


def test_the_standard_of_the_nearest_category_applies(complaint_in):
    standard = _standard()
    complaint = complaint_in("investigating")  # product_quality.food.expired
    assert services.standard_for(complaint.category) == standard


def test_a_proposal_beyond_the_standard_without_a_reason_is_refused_and_nothing_is_written(
    complaint_in, users, now, api
):
    _standard(high="30.00")
    complaint = complaint_in("investigating")
    before = everything()
    response = api("handler", "en").post(
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "propose_solution", "remedies": [{"type": "refund", "amount": "50.00"}]},
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "internal_note" and error["code"] == "beyond_standard"
    assert everything() == before


def test_a_proposal_beyond_the_standard_with_its_reason_goes_through(complaint_in, users, now):
    _standard(high="30.00")
    complaint = complaint_in("investigating")
    _propose(users, complaint, now, "50.00", internal_note="顾客另有交通费")
    complaint.refresh_from_db()
    assert complaint.status == "solution_proposed"


def test_a_proposal_within_the_standard_needs_no_reason(complaint_in, users, now):
    _standard(high="80.00")
    complaint = complaint_in("investigating")
    _propose(users, complaint, now, "50.00")
    complaint.refresh_from_db()
    assert complaint.status == "solution_proposed"


def test_the_api_shows_the_standard_of_a_complaint(complaint_in, api):
    _standard(high="80.00")
    complaint = complaint_in("investigating")
    body = api("agent", "en").get(f"/api/v1/complaints/{complaint.number}/compensation-standard").json()
    assert body["standard"] == {
        "category": "product_quality",
        "remedy_type": "refund",
        "min_amount": "0.00",
        "max_amount": "80.00",
        "note": "",
    }


# --- RS-7 ---------------------------------------------------------------------------------------


@pytest.fixture
def paying(complaint_in, users, now):
    """A complaint with an approved 50 CNY solution (the conftest path)."""
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    return complaint


def test_voucher_paid_on_the_supervisors_approval_then_countersigned(paying, users, now, api):
    created = api("agent", "en").post(
        f"/api/v1/complaints/{paying.number}/vouchers", {"amount": "50.00", "payee": "张三", "purpose": "退款"}
    )
    assert created.status_code == 201, created.content
    voucher = created.json()
    assert voucher["status"] == "requested" and voucher["number"].startswith("BYJ-")
    approved = api("supervisor", "en").post(f"/api/v1/vouchers/{voucher['id']}/approve", {})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "paid"
    assert approved.json()["countersign_due"] is not None
    assert OutboxMessage.objects.filter(kind="voucher_countersign", recipient_user=users["manager"]).exists()
    signed = api("manager", "en").post(f"/api/v1/vouchers/{voucher['id']}/countersign", {})
    assert signed.status_code == 200
    assert signed.json()["status"] == "countersigned" and signed.json()["countersigned_by"] == "manager"
    kinds = list(paying.events.filter(kind__startswith="voucher_").values_list("kind", flat=True))
    assert kinds == ["voucher_requested", "voucher_paid", "voucher_countersigned"]


def test_a_voucher_beyond_the_supervisors_100_cny_is_refused_and_nothing_is_written(complaint_in, users, now, api):
    complaint = complaint_in("investigating")
    complaint_transition(
        actor=users["handler"],
        number=complaint.number,
        action="propose_solution",
        payload={"action": "propose_solution", "remedies": [{"type": "refund", "amount": "150.00"}]},
        now=now,
    )
    act(users, "manager", complaint, "approve", now)
    voucher = services.voucher_request(
        actor=users["agent"], number=complaint.number, amount="150.00", payee="张三", purpose="退款", now=now
    )
    before = everything()
    response = api("supervisor", "en").post(f"/api/v1/vouchers/{voucher.pk}/approve", {})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "beyond_petty_cash_limit"
    assert everything() == before
    # the manager's approval is the signature
    services.voucher_approve(actor=users["manager"], voucher_id=voucher.pk, now=now)
    assert PettyCashVoucher.objects.get(pk=voucher.pk).status == "countersigned"


def test_countersigning_by_the_supervisor_is_refused(paying, users, now, api):
    voucher = services.voucher_request(
        actor=users["agent"], number=paying.number, amount="20.00", payee="张三", purpose="退款", now=now
    )
    services.voucher_approve(actor=users["supervisor"], voucher_id=voucher.pk, now=now)
    before = everything()
    response = api("supervisor", "en").post(f"/api/v1/vouchers/{voucher.pk}/countersign", {})
    assert response.status_code == 403
    assert everything() == before


def test_a_voucher_beyond_the_solution_or_without_one_is_refused(complaint_in, paying, users, now, api):
    other = complaint_in("investigating")
    before = everything()
    response = api("agent", "en").post(
        f"/api/v1/complaints/{paying.number}/vouchers", {"amount": "60.00", "payee": "张三", "purpose": "退款"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
    response = api("agent", "en").post(
        f"/api/v1/complaints/{other.number}/vouchers", {"amount": "10.00", "payee": "张三", "purpose": "退款"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "solution"
    response = api("agent", "en").post(
        f"/api/v1/complaints/{paying.number}/vouchers", {"amount": "abc", "payee": "", "purpose": "退款"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"amount", "payee"}
    assert everything() == before


def test_an_uncountersigned_voucher_escalates_once(paying, users, now):
    voucher = services.voucher_request(
        actor=users["agent"], number=paying.number, amount="20.00", payee="张三", purpose="退款", now=now
    )
    services.voucher_approve(actor=users["supervisor"], voucher_id=voucher.pk, now=now)
    assert services.vouchers_escalate_uncountersigned(now=now + dt.timedelta(hours=23)) == 0
    later = now + dt.timedelta(hours=25)
    assert services.vouchers_escalate_uncountersigned(now=later) == 1
    recipients = set(
        OutboxMessage.objects.filter(kind="voucher_overdue").values_list("recipient_user__username", flat=True)
    )
    assert recipients == {"manager", "gm"}
    assert services.vouchers_escalate_uncountersigned(now=later) == 0


def test_vouchers_queue_lists_with_a_pinned_query_count(paying, users, now, api, django_assert_max_num_queries):
    for _ in range(3):
        services.voucher_request(
            actor=users["agent"], number=paying.number, amount="10.00", payee="张三", purpose="退款", now=now
        )
    client = api("manager", "en")
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/vouchers").json()
    assert body["count"] == 3


# --- RS-8 ---------------------------------------------------------------------------------------


def test_a_held_receivable_is_released_to_finance_when_the_complaint_is_not_upheld(complaint_in, users, now):
    from kesu.accounts.models import Department, Role, User

    finance = User.objects.create(
        username="cashier", role=Role.HANDLER, department=Department.objects.get(code="finance"), email="f@example.com"
    )
    complaint = complaint_in("acknowledged")
    row = services.receivable_hold(
        actor=users["manager"], number=complaint.number, reference="INV-1", amount="300.00", note="", now=now
    )
    act(users, "supervisor", complaint, "rule_invalid", now, reason="untrue")
    row.refresh_from_db()
    assert row.status == "released" and row.released_at == now
    assert OutboxMessage.objects.filter(kind="receivable_released", recipient_user=finance).count() == 1


def test_holding_a_receivable_by_an_agent_is_refused(complaint_in, users, api):
    complaint = complaint_in("acknowledged")
    before = everything()
    response = api("agent", "en").post(
        f"/api/v1/complaints/{complaint.number}/receivables", {"reference": "INV-1", "amount": "300.00"}
    )
    assert response.status_code == 403
    assert everything() == before
    assert not HeldReceivable.objects.exists()


# --- IV-2 ---------------------------------------------------------------------------------------


def test_the_supplier_bears_the_cost_or_the_gm_approves_paying(complaint_in, users, now, api):
    complaint = complaint_in("investigating")
    created = api("handler", "en").post(
        f"/api/v1/complaints/{complaint.number}/supplier-recoveries",
        {"supplier": "某乳业", "amount": "120.00", "reason": "包装密封不良"},
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    refused = api("handler", "en").post(
        f"/api/v1/complaints/{complaint.number}/supplier-recoveries/{rid}/answer",
        {"accepted": False, "answer": "不认可"},
    )
    assert refused.json()["status"] == "refused"
    assert OutboxMessage.objects.filter(kind="supplier_refused", recipient_user=users["gm"]).count() == 1
    before = everything()
    by_manager = api("manager", "en").post(
        f"/api/v1/complaints/{complaint.number}/supplier-recoveries/{rid}/decide", {"pay": True}
    )
    assert by_manager.status_code == 403
    assert everything() == before
    decided = api("gm", "en").post(
        f"/api/v1/complaints/{complaint.number}/supplier-recoveries/{rid}/decide", {"pay": True, "note": "同意"}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "company_pays" and decided.json()["decided_by"] == "gm"


def test_loss_and_penalty_are_computed_from_the_standards(complaint_in, users, now, api):
    LossStandard.objects.filter(code="product_cost").update(rate=Decimal("12.50"))
    complaint = complaint_in("investigating")
    response = api("handler", "en").post(
        f"/api/v1/complaints/{complaint.number}/loss-assessments",
        {"lines": {"product_cost": "100", "freight": "2", "inspection": "1"}, "responsibility": "ours"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # 100 × 12.50 + 2 × 30 + 200 = 1510.00; band ours 1000–10000: 100 + 5 % = 175.50
    assert body["loss_amount"] == "1510.00"
    assert body["penalty_amount"] == "175.50"


def test_penalty_bands(users):
    assert services.compute_penalty(loss=Decimal("500"), responsibility="ours") == Decimal("50.00")
    assert services.compute_penalty(loss=Decimal("20000"), responsibility="ours") == Decimal("2500.00")
    assert services.compute_penalty(loss=Decimal("800"), responsibility="supplier") == Decimal("800.00")
    assert services.compute_penalty(loss=Decimal("800"), responsibility="customer_misuse") == Decimal("0.00")


def test_a_loss_assessment_with_an_unknown_line_names_it(complaint_in, api):
    complaint = complaint_in("investigating")
    before = everything()
    response = api("handler", "en").post(
        f"/api/v1/complaints/{complaint.number}/loss-assessments", {"lines": {"nope": "1"}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines.nope"
    assert everything() == before
