"""In-app notifications: counts by kind, the badge, and the read marker (kesu.notifications.inbox)."""

from __future__ import annotations

import datetime as dt

from kesu.complaints.services.transitions import complaint_transition
from kesu.deadlines.models import ComplaintDeadline
from kesu.notifications.inbox import inbox_for, inbox_mark_seen, inbox_new_count
from kesu.notifications.models import InboxMark


def section(inbox, kind: str) -> list[str]:
    return [item.number for k, _label, items in inbox.sections if k == kind for item in items]


def test_a_new_assignment_counts_until_the_list_is_opened(users, complaint_in, now):
    assigned = complaint_in("assigned")  # assigned to the handler by the supervisor
    handler = users["handler"]
    assert inbox_new_count(user=handler, now=now) == 1
    assert section(inbox_for(user=handler, now=now), "message") == [assigned.number]
    inbox_mark_seen(user=handler, now=now)
    assert inbox_new_count(user=handler, now=now) == 0
    later = now + dt.timedelta(minutes=5)
    second = complaint_in("acknowledged")
    complaint_transition(
        actor=users["supervisor"],
        number=second.number,
        action="assign",
        payload={"department": "quality", "assignee": "handler"},
        now=later,
    )
    assert inbox_new_count(user=handler, now=later) == 1
    inbox = inbox_for(user=handler, now=later)
    assert [item.new for _k, _l, items in inbox.sections for item in items] == [True, False]


def test_opening_twice_keeps_one_marker(users, now):
    inbox_mark_seen(user=users["agent"], now=now)
    inbox_mark_seen(user=users["agent"], now=now + dt.timedelta(minutes=1))
    assert InboxMark.objects.get(user=users["agent"]).seen_at == now + dt.timedelta(minutes=1)


def test_approvals_waiting_count_for_whoever_may_approve_the_amount(users, complaint_in, now):
    pending = complaint_in("solution_proposed")  # refund 50: within the supervisor's 100, above the agent's 20
    assert section(inbox_for(user=users["supervisor"], now=now), "approval") == [pending.number]
    assert section(inbox_for(user=users["agent"], now=now), "approval") == []
    assert section(inbox_for(user=users["handler"], now=now), "approval") == []
    assert inbox_new_count(user=users["supervisor"], now=now) == 1


def test_callbacks_due_for_the_agent_who_registered_the_complaint(users, complaint_in, now):
    resolved = complaint_in("resolved")
    assert section(inbox_for(user=users["agent"], now=now), "callback") == [resolved.number]
    assert section(inbox_for(user=users["manager"], now=now), "callback") == []


def test_overdue_complaints_of_my_department(users, complaint_in, register, now):
    late = complaint_in("assigned")
    ComplaintDeadline.objects.filter(complaint=late, kind="reply").update(due_at=now - dt.timedelta(hours=1))
    elsewhere = register(category="service_attitude.rude")
    ComplaintDeadline.objects.filter(complaint=elsewhere).update(due_at=now - dt.timedelta(hours=1))
    handler = users["handler"]
    assert section(inbox_for(user=handler, now=now), "overdue") == [late.number]
    inbox_mark_seen(user=handler, now=now - dt.timedelta(hours=2))
    assert inbox_new_count(user=handler, now=now) == 2  # the assignment message and the missed deadline
    inbox_mark_seen(user=handler, now=now)
    assert inbox_new_count(user=handler, now=now) == 0
    assert section(inbox_for(user=handler, now=now), "overdue") == [late.number]  # still listed, read
