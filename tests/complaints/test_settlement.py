"""Settlement at intake: a resolved contact (IN-7) or a complaint settled on the spot (IN-8) is
registered and closed at once; a resolved contact reopened becomes a complaint, one way only."""

from __future__ import annotations

import pytest

from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import PermissionDenied, ValidationFailed
from tests.complaints.lifecycle import act, audit_of, events_of, investigate, snapshot
from tests.conftest import intake_payload

ON_THE_SPOT = {"kind": "on_the_spot", "result": "当场换货", "customer_answer": "顾客表示满意"}
RESOLVED_CONTACT = {"kind": "resolved_contact", "result": "已解释退货政策", "customer_answer": "明白了"}


@pytest.fixture
def settled(register):
    def _settled(settlement: dict[str, str]) -> Complaint:
        complaint = register(settlement=settlement)
        complaint.refresh_from_db()
        return complaint

    return _settled


def test_on_the_spot_settlement_is_closed_at_once(settled, now):
    complaint = settled(ON_THE_SPOT)
    assert (complaint.status, complaint.result, complaint.closed_at, complaint.resolved_at) == (
        "closed",
        "当场换货",
        now,
        now,
    )


def test_on_the_spot_settlement_is_flagged(settled):
    complaint = settled(ON_THE_SPOT)
    assert (complaint.settled_on_spot, complaint.is_resolved_contact) == (True, False)


def test_resolved_contact_is_flagged(settled):
    complaint = settled(RESOLVED_CONTACT)
    assert (complaint.status, complaint.is_resolved_contact, complaint.settled_on_spot) == ("closed", True, False)


@pytest.mark.parametrize("settlement", [ON_THE_SPOT, RESOLVED_CONTACT], ids=lambda s: s["kind"])
def test_settlement_timeline_is_registration_then_settlement(settled, users, settlement):
    complaint = settled(settlement)
    assert [(e.kind, e.actor_id, e.from_status, e.to_status) for e in events_of(complaint)] == [
        ("registered", users["agent"].pk, "", "registered"),
        (settlement["kind"], users["agent"].pk, "registered", "closed"),
    ]


@pytest.mark.parametrize("settlement", [ON_THE_SPOT, RESOLVED_CONTACT], ids=lambda s: s["kind"])
def test_settlement_is_audited(settled, settlement):
    complaint = settled(settlement)
    assert [r.action for r in audit_of(complaint)] == ["complaint.registered", f"complaint.{settlement['kind']}"]


def test_reopened_resolved_contact_becomes_a_complaint(settled, users, now):
    complaint = settled(RESOLVED_CONTACT)
    act(users, "supervisor", complaint, "reopen", now, reason="顾客仍有异议")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.is_resolved_contact, complaint.closed_at) == ("investigating", False, None)


def test_reopened_resolved_contact_records_the_conversion(settled, users, now):
    complaint = settled(RESOLVED_CONTACT)
    act(users, "supervisor", complaint, "reopen", now, reason="顾客仍有异议")
    assert events_of(complaint)[-1].data == {"converted_from_resolved_contact": True}


def test_reopened_on_the_spot_settlement_records_no_conversion(settled, users, now):
    complaint = settled(ON_THE_SPOT)
    act(users, "supervisor", complaint, "reopen", now, reason="顾客仍有异议")
    assert events_of(complaint)[-1].data == {"converted_from_resolved_contact": False}


def test_converted_contact_stays_a_complaint_when_closed_again(settled, users, now):
    complaint = settled(RESOLVED_CONTACT)
    act(users, "supervisor", complaint, "reopen", now, reason="顾客仍有异议")
    investigate(users, "handler", complaint, now)
    act(users, "handler", complaint, "propose_solution", now, remedies=[{"type": "apology", "amount": "0"}])
    act(users, "agent", complaint, "customer_accept", now)
    act(users, "handler", complaint, "resolve", now, result="已道歉")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True)
    act(users, "manager", complaint, "close", now)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.is_resolved_contact) == ("closed", False)


def test_reopening_a_resolved_contact_needs_a_reason(settled, users, now):
    complaint = settled(RESOLVED_CONTACT)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        act(users, "supervisor", complaint, "reopen", now)
    assert ([e.field for e in refused.value.errors], snapshot() == before) == (["reason"], True)


@pytest.mark.parametrize("who", ["agent", "handler"])
def test_reopening_a_resolved_contact_is_for_supervisors(settled, users, now, who):
    complaint = settled(RESOLVED_CONTACT)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        act(users, who, complaint, "reopen", now, reason="顾客仍有异议")
    assert snapshot() == before


def test_settlement_needs_staff(users, now):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        complaint_register(actor=None, payload=intake_payload(settlement=ON_THE_SPOT), now=now)
    assert snapshot() == before


def test_settlement_needs_a_known_kind(users, now):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        complaint_register(
            actor=users["agent"], payload=intake_payload(settlement={"kind": "handshake", "result": "ok"}), now=now
        )
    assert ([e.field for e in refused.value.errors], snapshot() == before) == (["settlement.kind"], True)


def test_settlement_needs_a_result(users, now):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        complaint_register(actor=users["agent"], payload=intake_payload(settlement={"kind": "on_the_spot"}), now=now)
    assert ([e.field for e in refused.value.errors], snapshot() == before) == (["settlement.result"], True)


def test_settlement_by_the_auditor_is_refused(users, now):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        complaint_register(actor=users["auditor"], payload=intake_payload(settlement=ON_THE_SPOT), now=now)
    assert snapshot() == before


def test_settled_complaint_refuses_everything_but_reopen(settled, users):
    complaint = settled(ON_THE_SPOT)
    assert workflow.available_actions(complaint, users["manager"]) == ["reopen"]
