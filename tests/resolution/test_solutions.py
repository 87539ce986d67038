"""Approval history, alternatives in one round, new rounds on rejection, authority refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.resolution.models import ApprovalDecision, Solution
from tests.complaints.lifecycle import act, events_of
from tests.resolution.conftest import everything, refused

TWO_OFFERS = [
    {"remedies": [{"type": "voucher", "amount": "30.00"}]},
    {"remedies": [{"type": "refund", "amount": "50.00"}, {"type": "apology", "amount": "0"}]},
]


def decisions(complaint) -> list[tuple[int, str, str, str]]:
    return [
        (d.solution.round, d.decision, d.by.username, d.note)
        for d in ApprovalDecision.objects.filter(solution__complaint=complaint).order_by("id")
    ]


def test_every_approval_decision_is_its_own_row(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")  # 50.00 by the handler: waits for approval
    act(users, "supervisor", complaint, "reject_approval", now, reason="金额偏高")
    act(users, "handler", complaint, "propose_solution", now, remedies=[{"type": "refund", "amount": "40.00"}])
    act(users, "supervisor", complaint, "approve", now, note="同意")
    assert decisions(complaint) == [(1, "rejected", "supervisor", "金额偏高"), (2, "approved", "supervisor", "同意")]
    row = ApprovalDecision.objects.filter(solution__complaint=complaint).last()
    assert (row.role, row.authority_limit, row.at) == ("supervisor", Decimal("100.00"), now)


def test_approval_within_the_proposers_own_authority_is_recorded_too(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "manager", complaint, "propose_solution", now, remedies=[{"type": "refund", "amount": "500.00"}])
    note = Solution.objects.get(complaint=complaint).approval_note
    assert note
    assert decisions(complaint) == [(1, "auto_approved", "manager", note)]


def test_a_rejected_round_is_kept_and_the_next_proposal_opens_a_new_one(complaint_in, users, now, client_as):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    act(users, "agent", complaint, "customer_reject", now, reason="要求全额赔偿")
    act(users, "handler", complaint, "propose_solution", now, remedies=[{"type": "refund", "amount": "80.00"}])
    rounds = list(Solution.objects.filter(complaint=complaint).order_by("round").values_list("round", "status"))
    assert rounds == [(1, "customer_rejected"), (2, "pending_approval")]
    listing = client_as("auditor").get(f"/api/v1/complaints/{complaint.number}/solutions").json()
    assert [(s["round"], [d["decision"] for d in s["decisions"]]) for s in listing] == [(1, ["approved"]), (2, [])]


def test_alternatives_are_offered_in_one_round_and_the_customer_accepts_one(complaint_in, users, now, client_as):
    complaint = complaint_in("investigating")
    response = client_as("handler").post(
        f"/api/v1/complaints/{complaint.number}/transitions", {"action": "propose_solution", "alternatives": TWO_OFFERS}
    )
    assert response.status_code == 200, response.content
    solution = Solution.objects.get(complaint=complaint)
    # The approval must cover the dearest alternative, which the customer may choose.
    assert (solution.alternatives, solution.total, solution.status) == (2, Decimal("50.00"), "pending_approval")
    assert events_of(complaint)[-1].data["alternatives"] == [
        [{"type": "voucher", "amount": "30.00"}],
        [{"type": "refund", "amount": "50.00"}, {"type": "apology", "amount": "0.00"}],
    ]
    act(users, "supervisor", complaint, "approve", now)
    agent = client_as("agent")
    response, unchanged = refused(
        agent.post, f"/api/v1/complaints/{complaint.number}/transitions", {"action": "customer_accept"}
    )
    assert (response.status_code, response.json()["errors"][0]["field"], unchanged) == (422, "alternative", True)
    response, unchanged = refused(
        agent.post,
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "customer_accept", "alternative": 3},
    )
    assert (response.status_code, unchanged) == (422, True)
    response = agent.post(
        f"/api/v1/complaints/{complaint.number}/transitions", {"action": "customer_accept", "alternative": 2}
    )
    assert (response.status_code, response.json()["status"]) == (200, "implementing")
    solution.refresh_from_db()
    assert (solution.status, solution.accepted_alternative) == ("accepted", 2)


def test_a_single_offer_is_accepted_without_naming_it(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    act(users, "agent", complaint, "customer_accept", now)
    assert Solution.objects.get(complaint=complaint).accepted_alternative == 1


@pytest.mark.parametrize(
    "body",
    [
        {"alternatives": TWO_OFFERS, "remedies": [{"type": "refund", "amount": "1"}]},
        {"alternatives": [{"remedies": []}]},
        {"alternatives": "two"},
        {"alternatives": [{"remedies": [{"type": "refund", "amount": "1"}]}] * 6},
    ],
)
def test_malformed_alternatives_are_refused(complaint_in, client_as, body):
    complaint = complaint_in("investigating")
    response, unchanged = refused(
        client_as("handler").post,
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "propose_solution", **body},
    )
    assert (response.status_code, unchanged) == (422, True)


def test_nobody_approves_beyond_their_authority(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "handler", complaint, "propose_solution", now, remedies=[{"type": "compensation", "amount": "150.00"}])
    before = everything()
    with pytest.raises(PermissionDenied):
        act(users, "supervisor", complaint, "approve", now)  # 100 CNY authority
    assert everything() == before


def test_nobody_offers_an_unapproved_solution(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")  # pending approval
    before = everything()
    with pytest.raises(Conflict):
        act(users, "agent", complaint, "customer_accept", now)
    assert everything() == before


def test_a_bad_alternative_number_is_refused_by_the_parser(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    with pytest.raises(ValidationFailed):
        act(users, "agent", complaint, "customer_accept", now, alternative="two")
