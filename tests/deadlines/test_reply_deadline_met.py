"""The reply deadline is met when the customer is answered (issue 8, item 8): an approved solution
offered, a reply recorded (a note for the customer, an answering letter) or the result; not a
solution still waiting for approval."""

from __future__ import annotations

from kesu.complaints.services.transitions import complaint_transition
from kesu.deadlines.models import ComplaintDeadline


def reply(complaint):
    return ComplaintDeadline.objects.get(complaint=complaint, kind="reply")


def test_a_solution_waiting_for_approval_is_no_reply(users, complaint_in):
    complaint = complaint_in("solution_proposed")  # 50.00 by the handler, beyond a handler's authority
    assert complaint.solutions.get().status == "pending_approval"
    assert complaint.replied_at is None
    assert reply(complaint).state == "open"


def test_the_approval_offers_the_solution_and_meets_the_reply_deadline(users, complaint_in, now):
    complaint = complaint_in("solution_proposed")
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    complaint.refresh_from_db()
    assert complaint.replied_at == now
    assert reply(complaint).state == "met"


def test_a_solution_within_the_proposers_authority_is_a_reply_at_once(users, complaint_in, now):
    complaint = complaint_in("investigating")
    complaint_transition(
        actor=users["manager"],
        number=complaint.number,
        action="propose_solution",
        payload={"remedies": [{"type": "refund", "amount": "50.00"}]},
        now=now,
    )
    complaint.refresh_from_db()
    assert complaint.solutions.get().status == "approved"
    assert complaint.replied_at == now
    assert reply(complaint).state == "met"


def test_an_apology_letter_is_a_reply(users, complaint_in, now):
    from kesu.notifications.letters import letter_send

    complaint = complaint_in("investigating")
    letter_send(actor=users["agent"], number=complaint.number, kind="apology", now=now)
    complaint.refresh_from_db()
    assert complaint.replied_at == now
    assert reply(complaint).state == "met"


def test_the_acknowledgement_letter_is_no_reply(users, complaint_in, now):
    from kesu.notifications.letters import letter_send

    complaint = complaint_in("investigating")
    letter_send(actor=users["agent"], number=complaint.number, kind="acknowledgement", now=now)
    complaint.refresh_from_db()
    assert complaint.replied_at is None


def test_the_customer_timeline_shows_the_solution_when_it_reaches_them(users, complaint_in, now):
    from kesu.complaints.selectors import complaint_timeline

    complaint = complaint_in("solution_proposed")
    assert "propose_solution" not in [e.kind for e in complaint_timeline(complaint, public_only=True)]
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    assert [e.kind for e in complaint_timeline(complaint, public_only=True)][-1] == "approve"
