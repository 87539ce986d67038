"""`complaint_transition`: the effects of each action, approval authority, and refusals that
write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kesu.accounts.models import Department, Role
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.models import OutboxMessage
from kesu.resolution.models import ApprovalAuthority, Callback, Solution
from kesu.resolution.selectors import current_solution
from tests.complaints.lifecycle import TERMINAL_STATES, act, events_of, investigate, snapshot
from tests.conftest import make_user

TOTALS = ("0", "20", "20.01", "100", "100.01", "1000", "1000.01")
# API.md "Approval authority"; None is unlimited.
AUTHORITY: dict[str, Decimal | None] = {
    "agent": Decimal("20"),
    "supervisor": Decimal("100"),
    "manager": Decimal("1000"),
    "gm": None,
    "handler": Decimal("0"),
}


def covers(role: str, total: str) -> bool:
    limit = AUTHORITY[role]
    return Decimal(total) == 0 or limit is None or Decimal(total) <= limit


def remedies_for(total: str) -> list[dict[str, str]]:
    return [{"type": "apology" if Decimal(total) == 0 else "refund", "amount": total}]


def refuse(error: type[Exception], users, who: str, complaint: Complaint, action: str, now, **params):
    """Take the action expecting `error`; assert nothing at all was written. Returns the error."""
    before = snapshot()
    with pytest.raises(error) as info:
        act(users, who, complaint, action, now, **params)
    assert snapshot() == before
    return info.value


def fields(error: ValidationFailed) -> list[str | None]:
    return [e.field for e in error.errors]


@pytest.fixture
def investigating_for(register, complaint_in, users, now):
    """A complaint under investigation that `role` may propose a solution for."""

    def _make(role: str) -> Complaint:
        if role != "agent":
            return complaint_in("investigating")
        complaint = register()
        act(users, "agent", complaint, "acknowledge", now)
        act(users, "supervisor", complaint, "assign", now, department="customer_service", assignee="agent")
        act(users, "agent", complaint, "start_investigation", now)
        investigate(users, "agent", complaint, now)
        return complaint

    return _make


@pytest.fixture
def pending(complaint_in, users, now):
    """A complaint whose handler proposed `total`, waiting for approval (handler authority is 0)."""

    def _make(total: str) -> Complaint:
        complaint = complaint_in("investigating")
        act(users, "handler", complaint, "propose_solution", now, remedies=remedies_for(total))
        return complaint

    return _make


# --- approval authority ---------------------------------------------------------------------


@pytest.mark.parametrize("total", TOTALS)
@pytest.mark.parametrize("role", sorted(AUTHORITY))
def test_proposal_is_approved_at_once_only_within_proposers_authority(investigating_for, users, now, role, total):
    complaint = investigating_for(role)
    act(users, role, complaint, "propose_solution", now, remedies=remedies_for(total))
    solution = current_solution(complaint)
    assert solution is not None
    expected = ("approved", users[role].pk) if covers(role, total) else ("pending_approval", None)
    assert (solution.status, solution.approved_by_id) == expected


def test_total_is_the_sum_of_the_remedies(investigating_for, users, now):
    complaint = investigating_for("agent")
    act(
        users,
        "agent",
        complaint,
        "propose_solution",
        now,
        remedies=[{"type": "refund", "amount": "10.00"}, {"type": "voucher", "amount": "10.01"}],
    )
    solution = current_solution(complaint)
    assert solution is not None
    assert (solution.total, solution.status) == (Decimal("20.01"), "pending_approval")


@pytest.mark.parametrize("total", [t for t in TOTALS if Decimal(t) > 0])
def test_customer_accept_is_refused_while_approval_pending(pending, users, now, total):
    complaint = pending(total)
    error = refuse(Conflict, users, "agent", complaint, "customer_accept", now)
    assert error.status == 409


def test_customer_reject_is_refused_while_approval_pending(pending, users, now):
    complaint = pending("50.00")
    error = refuse(Conflict, users, "agent", complaint, "customer_reject", now, reason="太少")
    assert error.status == 409


def test_customer_accept_is_allowed_once_approved(pending, users, now):
    complaint = pending("50.00")
    act(users, "supervisor", complaint, "approve", now)
    act(users, "agent", complaint, "customer_accept", now)
    complaint.refresh_from_db()
    assert (complaint.status, current_solution(complaint).status) == ("implementing", "accepted")


APPROVAL_CASES = [
    (role, total) for role in ("agent", "supervisor", "manager", "gm") for total in TOTALS if Decimal(total) > 0
]


@pytest.mark.parametrize(("role", "total"), [c for c in APPROVAL_CASES if covers(*c)])
def test_approver_within_authority_approves(pending, users, now, role, total):
    complaint = pending(total)
    act(users, role, complaint, "approve", now)
    solution = current_solution(complaint)
    assert (solution.status, solution.approved_by_id) == ("approved", users[role].pk)


@pytest.mark.parametrize(("role", "total"), [c for c in APPROVAL_CASES if not covers(*c)])
def test_approver_without_enough_authority_gets_403(pending, users, now, role, total):
    complaint = pending(total)
    error = refuse(PermissionDenied, users, role, complaint, "approve", now)
    assert error.status == 403


def test_gm_approves_any_amount(pending, users, now):
    complaint = pending("9999999.99")
    act(users, "gm", complaint, "approve", now)
    assert current_solution(complaint).status == "approved"


def test_approve_is_refused_when_nothing_waits_for_approval(investigating_for, users, now):
    complaint = investigating_for("handler")
    act(users, "handler", complaint, "propose_solution", now, remedies=remedies_for("0"))
    error = refuse(Conflict, users, "supervisor", complaint, "approve", now)
    assert error.status == 409


def test_reject_approval_sends_the_complaint_back_to_investigating(pending, users, now):
    complaint = pending("50.00")
    act(users, "supervisor", complaint, "reject_approval", now, reason="超出赔付标准")
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_reject_approval_keeps_the_old_proposal(pending, users, now):
    complaint = pending("50.00")
    act(users, "supervisor", complaint, "reject_approval", now, reason="超出赔付标准")
    assert list(
        Solution.objects.filter(complaint=complaint).values_list("round", "status", "total", "approval_note")
    ) == [(1, "approval_rejected", Decimal("50.00"), "超出赔付标准")]


def test_new_proposal_after_rejected_approval_is_a_new_round(pending, users, now):
    complaint = pending("50.00")
    act(users, "supervisor", complaint, "reject_approval", now, reason="超出赔付标准")
    act(users, "handler", complaint, "propose_solution", now, remedies=remedies_for("30.00"))
    assert list(Solution.objects.filter(complaint=complaint).order_by("round").values_list("round", "status")) == [
        (1, "approval_rejected"),
        (2, "pending_approval"),
    ]


def test_reject_approval_needs_a_reason(pending, users, now):
    complaint = pending("50.00")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "reject_approval", now)
    assert fields(error) == ["reason"]


def test_reject_approval_without_enough_authority_gets_403(pending, users, now):
    complaint = pending("50.00")
    error = refuse(PermissionDenied, users, "agent", complaint, "reject_approval", now, reason="不同意")
    assert error.status == 403


def test_department_authority_row_raises_a_proposers_limit(investigating_for, users, now):
    ApprovalAuthority.objects.create(
        role=Role.HANDLER, department=Department.objects.get(code="quality"), limit=Decimal("200")
    )
    complaint = investigating_for("handler")
    act(users, "handler", complaint, "propose_solution", now, remedies=remedies_for("150.00"))
    assert current_solution(complaint).status == "approved"


def test_department_authority_row_lowers_an_approvers_limit(pending, users, now):
    ApprovalAuthority.objects.create(
        role=Role.SUPERVISOR, department=Department.objects.get(code="customer_service"), limit=Decimal("50")
    )
    complaint = pending("60.00")
    error = refuse(PermissionDenied, users, "supervisor", complaint, "approve", now)
    assert error.status == 403


def test_authority_row_of_another_department_does_not_apply(pending, users, now):
    ApprovalAuthority.objects.create(
        role=Role.SUPERVISOR, department=Department.objects.get(code="logistics"), limit=Decimal("10")
    )
    complaint = pending("60.00")
    act(users, "supervisor", complaint, "approve", now)
    assert current_solution(complaint).status == "approved"


def test_default_authority_row_change_applies(pending, users, now):
    ApprovalAuthority.objects.filter(role=Role.AGENT, department__isnull=True).update(limit=Decimal("80"))
    complaint = pending("60.00")
    act(users, "agent", complaint, "approve", now)
    assert current_solution(complaint).status == "approved"


# --- propose, customer's answer, resolve ------------------------------------------------------


def test_propose_needs_remedies(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "handler", complaint, "propose_solution", now)
    assert fields(error) == ["remedies"]


def test_propose_refuses_an_unknown_remedy_type(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(
        ValidationFailed,
        users,
        "handler",
        complaint,
        "propose_solution",
        now,
        remedies=[{"type": "cash_bribe", "amount": "10"}],
    )
    assert fields(error) == ["remedies[0].type"]


def test_propose_refuses_a_negative_amount(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(
        ValidationFailed,
        users,
        "handler",
        complaint,
        "propose_solution",
        now,
        remedies=[{"type": "refund", "amount": "-1"}],
    )
    assert fields(error) == ["remedies[0].amount"]


def test_new_proposal_supersedes_the_open_one(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "handler", complaint, "propose_solution", now, remedies=remedies_for("40.00"))
    assert list(Solution.objects.filter(complaint=complaint).order_by("round").values_list("round", "status")) == [
        (1, "superseded"),
        (2, "pending_approval"),
    ]


def test_customer_reject_sends_back_to_investigating(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    act(users, "agent", complaint, "customer_reject", now, reason="要求全额赔偿")
    complaint.refresh_from_db()
    assert (complaint.status, current_solution(complaint).status) == ("investigating", "customer_rejected")


def test_customer_reject_needs_a_reason(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    error = refuse(ValidationFailed, users, "agent", complaint, "customer_reject", now)
    assert fields(error) == ["reason"]


def test_resolve_records_the_result(complaint_in, users, now):
    complaint = complaint_in("implementing")
    act(users, "handler", complaint, "resolve", now, result="已退款")
    complaint.refresh_from_db()
    assert (complaint.result, complaint.resolved_at) == ("已退款", now)


def test_resolve_needs_a_result(complaint_in, users, now):
    complaint = complaint_in("implementing")
    error = refuse(ValidationFailed, users, "handler", complaint, "resolve", now)
    assert fields(error) == ["result"]


# --- assign ---------------------------------------------------------------------------------


@pytest.mark.parametrize("department", ["logistics", "物流部"])
def test_assign_by_department_code_or_name(complaint_in, users, now, department):
    make_user("courier", Role.HANDLER, "logistics")
    complaint = complaint_in("acknowledged")
    act(users, "supervisor", complaint, "assign", now, department=department, assignee="courier")
    complaint.refresh_from_db()
    assert (complaint.department.code, complaint.assignee.username) == ("logistics", "courier")


def test_assign_by_assignee_alone_takes_their_department(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    act(users, "supervisor", complaint, "assign", now, assignee="agent")
    complaint.refresh_from_db()
    assert (complaint.department.code, complaint.assignee.username) == ("customer_service", "agent")


def test_assign_by_department_alone_leaves_it_unassigned(complaint_in, users, now):
    complaint = complaint_in("assigned")
    act(users, "supervisor", complaint, "assign", now, department="finance")
    complaint.refresh_from_db()
    assert (complaint.department.code, complaint.assignee) == ("finance", None)


def test_assign_notifies_the_assignee(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    act(users, "supervisor", complaint, "assign", now, department="quality", assignee="handler")
    assert list(
        OutboxMessage.objects.filter(complaint=complaint, kind="assigned").values_list(
            "recipient_user__username", flat=True
        )
    ) == ["handler"]


def test_assign_refuses_an_unknown_department(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "assign", now, department="marketing")
    assert fields(error) == ["department"]


def test_assign_refuses_an_unknown_assignee(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    error = refuse(
        ValidationFailed, users, "supervisor", complaint, "assign", now, department="quality", assignee="nobody"
    )
    assert fields(error) == ["assignee"]


def test_assign_refuses_an_assignee_outside_the_department(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    error = refuse(
        ValidationFailed, users, "supervisor", complaint, "assign", now, department="logistics", assignee="handler"
    )
    assert fields(error) == ["assignee"]


def test_assign_refuses_an_auditor_as_assignee(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "assign", now, assignee="auditor")
    assert fields(error) == ["assignee"]


def test_assign_needs_a_department_or_an_assignee(complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "assign", now)
    assert fields(error) == ["department"]


# --- escalate -------------------------------------------------------------------------------


def test_escalate_raises_the_level_by_one(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "handler", complaint, "escalate", now, reason="顾客要求见经理")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == ("investigating", 1)


def test_escalate_stops_at_level_four(complaint_in, users, now):
    complaint = complaint_in("investigating")
    for _ in range(5):
        act(users, "handler", complaint, "escalate", now, reason="仍未解决")
    complaint.refresh_from_db()
    assert complaint.escalation_level == 4


@pytest.mark.parametrize(("times", "told"), [(1, "supervisor"), (2, "manager"), (3, "gm"), (4, "gm"), (5, "gm")])
def test_escalate_writes_a_notification_up_the_ladder(complaint_in, users, now, times, told):
    complaint = complaint_in("investigating")
    for _ in range(times - 1):
        act(users, "handler", complaint, "escalate", now, reason="仍未解决")
    seen = set(OutboxMessage.objects.values_list("id", flat=True))
    act(users, "handler", complaint, "escalate", now, reason="仍未解决")
    new = OutboxMessage.objects.exclude(id__in=seen)
    assert list(new.values_list("kind", "recipient_user__username")) == [("escalated", told)]


def test_escalate_needs_a_reason(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "handler", complaint, "escalate", now)
    assert fields(error) == ["reason"]


# --- callback, close, reopen ----------------------------------------------------------------


def test_unsatisfied_callback_sends_back_to_investigating(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=False, comment="还是不满意")
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_unsatisfied_callback_escalates_one_level(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=False)
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1


def test_unsatisfied_callback_notifies_the_supervisor(complaint_in, users, now):
    complaint = complaint_in("resolved")
    seen = set(OutboxMessage.objects.values_list("id", flat=True))
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=False)
    assert list(OutboxMessage.objects.exclude(id__in=seen).values_list("kind", "recipient_user__username")) == [
        ("escalated", "supervisor")
    ]


def test_unsatisfied_callback_is_kept(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=False, score=1, comment="差")
    assert list(
        Callback.objects.filter(complaint=complaint).values_list("reached", "satisfied", "score", "comment")
    ) == [(True, False, 1, "差")]


def test_unreached_callback_stays_resolved(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=False)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == ("resolved", 0)


def test_callback_needs_reached(complaint_in, users, now):
    complaint = complaint_in("resolved")
    error = refuse(ValidationFailed, users, "agent", complaint, "record_callback", now)
    assert fields(error) == ["reached"]


def test_reached_callback_needs_satisfied(complaint_in, users, now):
    complaint = complaint_in("resolved")
    error = refuse(ValidationFailed, users, "agent", complaint, "record_callback", now, reached=True)
    assert fields(error) == ["satisfied"]


def test_callback_score_is_one_to_five(complaint_in, users, now):
    complaint = complaint_in("resolved")
    error = refuse(
        ValidationFailed, users, "agent", complaint, "record_callback", now, reached=True, satisfied=True, score=6
    )
    assert fields(error) == ["score"]


def test_close_is_refused_without_a_callback(complaint_in, users, now):
    complaint = complaint_in("resolved")
    error = refuse(Conflict, users, "manager", complaint, "close", now)
    assert error.status == 409


def test_close_is_refused_after_an_unreached_callback_only(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=False)
    error = refuse(Conflict, users, "manager", complaint, "close", now)
    assert error.status == 409


def test_close_after_a_satisfied_callback(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True)
    act(users, "manager", complaint, "close", now)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at) == ("closed", now)


def _resolve_again(users, complaint: Complaint, at: dt.datetime) -> None:
    act(users, "handler", complaint, "propose_solution", at, remedies=remedies_for("0"))
    act(users, "agent", complaint, "customer_accept", at)
    act(users, "handler", complaint, "resolve", at, result="已换货")


def test_close_after_reopening_needs_a_new_callback(complaint_in, users, now):
    complaint = complaint_in("closed")
    later = now + dt.timedelta(days=2)
    act(users, "supervisor", complaint, "reopen", later, reason="顾客再次投诉")
    _resolve_again(users, complaint, later)
    error = refuse(Conflict, users, "manager", complaint, "close", later)
    assert error.status == 409


def test_close_after_reopening_from_resolved_needs_a_new_callback(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True)
    later = now + dt.timedelta(days=1)
    act(users, "supervisor", complaint, "reopen", later, reason="发现新问题")
    _resolve_again(users, complaint, later)
    error = refuse(Conflict, users, "manager", complaint, "close", later)
    assert error.status == 409


def test_close_after_reopening_and_a_new_satisfied_callback(complaint_in, users, now):
    complaint = complaint_in("closed")
    later = now + dt.timedelta(days=2)
    act(users, "supervisor", complaint, "reopen", later, reason="顾客再次投诉")
    _resolve_again(users, complaint, later)
    act(users, "agent", complaint, "record_callback", later, reached=True, satisfied=True)
    act(users, "manager", complaint, "close", later)
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_reopen_needs_a_reason(complaint_in, users, now):
    complaint = complaint_in("closed")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "reopen", now)
    assert fields(error) == ["reason"]


def test_reopen_clears_closed_at_and_keeps_the_history(complaint_in, users, now):
    complaint = complaint_in("closed")
    kinds_before = [e.kind for e in events_of(complaint)]
    act(users, "supervisor", complaint, "reopen", now, reason="顾客再次投诉")
    complaint.refresh_from_db()
    assert (complaint.closed_at, [e.kind for e in events_of(complaint)]) == (None, [*kinds_before, "reopen"])


def test_reopen_records_the_reason_on_the_timeline(complaint_in, users, now):
    complaint = complaint_in("closed")
    act(users, "supervisor", complaint, "reopen", now, reason="顾客再次投诉")
    assert events_of(complaint)[-1].note == "顾客再次投诉"


# --- withdraw, merge, rule_invalid -----------------------------------------------------------


def test_withdraw_closes_the_complaint(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "agent", complaint, "withdraw", now, reason="顾客撤回")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at) == ("withdrawn", now)


def test_merge_points_at_the_surviving_complaint(complaint_in, register, users, now):
    complaint = complaint_in("investigating")
    target = register()
    act(users, "supervisor", complaint, "merge", now, into=target.number)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.merged_into_id) == ("merged", target.pk)


def test_merge_notes_it_on_the_surviving_complaint(complaint_in, register, users, now):
    complaint = complaint_in("investigating")
    target = register()
    act(users, "supervisor", complaint, "merge", now, into=target.number)
    assert [(e.kind, e.data) for e in events_of(target)][-1] == ("merged_in", {"from": complaint.number})


def test_merge_into_itself_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(Conflict, users, "supervisor", complaint, "merge", now, into=complaint.number)
    assert (error.status, error.field) == (409, "into")


def test_merge_into_an_unknown_complaint_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "merge", now, into="209901-99999")
    assert fields(error) == ["into"]


def test_merge_needs_a_target(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "merge", now)
    assert fields(error) == ["into"]


@pytest.mark.parametrize("target_state", TERMINAL_STATES)
def test_merge_into_a_finished_complaint_is_refused(complaint_in, users, now, target_state):
    target = complaint_in(target_state)
    complaint = complaint_in("investigating")
    error = refuse(Conflict, users, "supervisor", complaint, "merge", now, into=target.number)
    assert (error.status, error.field) == (409, "into")


@pytest.mark.parametrize(
    "reason",
    [
        "excessive_demand",
        "harassment",
        "untrue",
        "system_fault",
        "knowledge_base",
        "branch_error",
        "recording_unavailable",
    ],
)
def test_rule_invalid_accepts_each_contract_reason(complaint_in, users, now, reason):
    complaint = complaint_in("investigating")
    act(users, "supervisor", complaint, "rule_invalid", now, reason=reason)
    complaint.refresh_from_db()
    assert (complaint.status, events_of(complaint)[-1].data) == ("invalid", {"reason": reason})


@pytest.mark.parametrize("reason", [None, "", "rude", "UNTRUE", ["untrue"]])
def test_rule_invalid_refuses_other_reasons(complaint_in, users, now, reason):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "supervisor", complaint, "rule_invalid", now, reason=reason)
    assert fields(error) == ["reason"]


# --- the service's own refusals -------------------------------------------------------------


def test_unknown_action_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    error = refuse(ValidationFailed, users, "manager", complaint, "delete", now)
    assert fields(error) == ["action"]


def test_unknown_number_is_not_found(users, now, db):
    before = snapshot()
    with pytest.raises(NotFound):
        act(users, "manager", Complaint(number="209901-99999"), "escalate", now, reason="x")
    assert snapshot() == before


def test_a_refused_action_leaves_the_timeline_alone(complaint_in, users, now):
    complaint = complaint_in("resolved")
    count = ComplaintEvent.objects.filter(complaint=complaint).count()
    with pytest.raises(Conflict):
        act(users, "manager", complaint, "close", now)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == count
