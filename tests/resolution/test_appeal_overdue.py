"""§7: a staff appeal unanswered past its answer-due is marked overdue and escalated once by the
periodic sweep, with a translated notification to the supervisors and the manager."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from kesu.core import tasks
from kesu.notifications.models import OutboxMessage
from kesu.resolution.adjudication import (
    adjudication_rule_valid,
    appeal_answer,
    appeal_lodge,
    appeal_overdue,
    appeals_escalate_overdue,
)
from kesu.resolution.models import Appeal
from tests.complaints.lifecycle import events_of
from tests.resolution.conftest import everything

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
FRIDAY = dt.datetime(2026, 11, 13, 10, 0, tzinfo=SHANGHAI)
DUE = dt.datetime(2026, 11, 16, 23, 59, 59, tzinfo=SHANGHAI)  # the end of the next working day
AFTER = DUE + dt.timedelta(minutes=1)


def lodged(complaint_in, users) -> tuple[object, Appeal]:
    complaint = complaint_in("investigating")
    ruling = adjudication_rule_valid(
        actor=users["supervisor"],
        number=complaint.number,
        kind="service_error",
        reason="坐席未核实订单即答复",
        staff=users["agent"],
        now=FRIDAY,
    )
    appeal = appeal_lodge(
        actor=users["agent"], number=complaint.number, adjudication_id=ruling.pk, reason="已核实", now=FRIDAY
    )
    assert appeal.answer_due == DUE
    return complaint, appeal


def overdue_messages() -> list[tuple[str, str, str]]:
    return sorted(
        OutboxMessage.objects.filter(kind="appeal_overdue").values_list("recipient_user__username", "subject", "body")
    )


def test_an_unanswered_appeal_past_its_answer_due_is_escalated_once(complaint_in, users):
    complaint, appeal = lodged(complaint_in, users)
    assert appeals_escalate_overdue(now=AFTER) == 1
    appeal.refresh_from_db()
    assert (appeal.escalated_at, appeal_overdue(appeal, AFTER)) == (AFTER, True)
    messages = overdue_messages()
    assert [m[0] for m in messages] == ["manager", "supervisor"]  # the supervisors and the manager
    subject = f"投诉 {complaint.number} 的申诉未按时答复"
    assert {m[1] for m in messages} == {subject}
    assert "2026-11-16 23:59" in messages[0][2] and "agent" in messages[0][2]
    event = events_of(complaint)[-1]
    assert (event.kind, event.data["appeal"], event.actor) == ("appeal_overdue", appeal.pk, None)
    # Run again, later: nothing more is sent or written.
    before = everything()
    assert appeals_escalate_overdue(now=AFTER + dt.timedelta(hours=2)) == 0
    assert everything() == before


def test_the_notification_follows_the_language(complaint_in, users):
    complaint, _appeal = lodged(complaint_in, users)
    with translation.override("en"):
        appeals_escalate_overdue(now=AFTER)
    assert {m[1] for m in overdue_messages()} == {f"Appeal on complaint {complaint.number} not answered in time"}


def test_an_appeal_not_yet_due_is_left_alone(complaint_in, users):
    _complaint, appeal = lodged(complaint_in, users)
    before = everything()
    assert appeals_escalate_overdue(now=DUE) == 0
    assert everything() == before
    assert appeal_overdue(appeal, DUE) is False


def test_an_answered_appeal_is_never_escalated(complaint_in, users):
    complaint, appeal = lodged(complaint_in, users)
    appeal_answer(
        actor=users["manager"],
        number=complaint.number,
        appeal_id=appeal.pk,
        decision="upheld",
        answer="维持判定",
        now=AFTER,
    )
    before = everything()
    assert appeals_escalate_overdue(now=AFTER + dt.timedelta(days=1)) == 0
    assert everything() == before


def test_the_periodic_task_escalates(complaint_in, users, time_machine):
    _complaint, appeal = lodged(complaint_in, users)
    time_machine.move_to(AFTER, tick=False)
    assert tasks.run("escalate_appeals") == {"escalated": 1}
    appeal.refresh_from_db()
    assert appeal.escalated_at == AFTER


def test_the_api_shows_the_appeal_overdue(complaint_in, users, client_as, time_machine):
    complaint, _appeal = lodged(complaint_in, users)
    time_machine.move_to(AFTER, tick=False)
    appeals_escalate_overdue(now=AFTER)
    rulings = client_as("auditor").get(f"/api/v1/complaints/{complaint.number}/adjudications").json()
    appeal = rulings[0]["appeal"]
    assert appeal["overdue"] is True
    assert dt.datetime.fromisoformat(appeal["escalated_at"]) == AFTER
