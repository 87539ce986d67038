"""Validity rulings (IV-4) and staff appeals within 7 days, answered within 1 working day."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.resolution.adjudication import adjudication_rule_valid, appeal_answer, appeal_lodge
from kesu.resolution.models import Adjudication
from tests.complaints.lifecycle import act, audit_of, events_of
from tests.resolution.conftest import everything, refused

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
FRIDAY = dt.datetime(2026, 11, 13, 10, 0, tzinfo=SHANGHAI)


def rule(users, complaint, at, staff="agent", who="supervisor") -> Adjudication:
    return adjudication_rule_valid(
        actor=users[who],
        number=complaint.number,
        kind="service_error",
        reason="坐席未核实订单即答复",
        staff=users[staff],
        now=at,
    )


def test_a_valid_ruling_is_recorded_without_moving_the_status(complaint_in, client_as):
    complaint = complaint_in("investigating")
    response = client_as("supervisor").post(
        f"/api/v1/complaints/{complaint.number}/adjudication",
        {"kind": "service", "reason": "服务态度问题属实", "staff": "agent"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["validity"], data["kind"], data["staff"], data["ruled_by"], data["appeal"]) == (
        "valid",
        "service",
        "agent",
        "supervisor",
        None,
    )
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    assert (events_of(complaint)[-1].kind, audit_of(complaint)[-1].action) == ("adjudicated", "complaint.adjudicated")


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("agent", {"kind": "service", "reason": "x"}, 403),
        ("handler", {"kind": "service", "reason": "x"}, 403),
        ("supervisor", {"kind": "service"}, 422),
        ("supervisor", {"kind": "service", "reason": "   "}, 422),
        ("supervisor", {"kind": "untrue", "reason": "x"}, 422),
    ],
)
def test_valid_ruling_refusals_write_nothing(complaint_in, client_as, who, body, status):
    complaint = complaint_in("investigating")
    response, unchanged = refused(client_as(who).post, f"/api/v1/complaints/{complaint.number}/adjudication", body)
    assert (response.status_code, unchanged) == (status, True)


def test_an_invalid_ruling_without_reason_is_refused(complaint_in, client_as):
    complaint = complaint_in("investigating")
    response, unchanged = refused(
        client_as("supervisor").post, f"/api/v1/complaints/{complaint.number}/transitions", {"action": "rule_invalid"}
    )
    assert (response.status_code, response.json()["errors"][0]["field"], unchanged) == (422, "reason", True)


def test_an_invalid_ruling_is_recorded_with_its_reason(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "supervisor", complaint, "rule_invalid", now, reason="excessive_demand", note="索赔金额远超损失")
    ruling = Adjudication.objects.get(complaint=complaint)
    assert (ruling.validity, ruling.kind, ruling.reason, ruling.ruled_by_id) == (
        "invalid",
        "excessive_demand",
        "索赔金额远超损失",
        users["supervisor"].pk,
    )
    assert (events_of(complaint)[-1].kind, events_of(complaint)[-1].data) == (
        "rule_invalid",
        {"reason": "excessive_demand"},
    )


def test_valid_ruling_refused_on_an_invalid_complaint(complaint_in, users, now):
    complaint = complaint_in("invalid")
    with pytest.raises(Conflict):
        rule(users, complaint, now)


def test_the_judged_staff_appeals_and_the_answer_is_due_next_working_day(complaint_in, users, client_as):
    complaint = complaint_in("investigating")
    ruling = rule(users, complaint, FRIDAY)
    appeal = appeal_lodge(
        actor=users["agent"],
        number=complaint.number,
        adjudication_id=ruling.pk,
        reason="已按流程核实",
        now=FRIDAY + dt.timedelta(hours=1),
    )
    # Lodged on Friday 13 Nov 2026: due by the end of Monday 16 Nov.
    assert appeal.answer_due == dt.datetime(2026, 11, 16, 23, 59, 59, tzinfo=SHANGHAI)
    assert events_of(complaint)[-1].kind == "appeal_lodged"
    response = client_as("manager").post(
        f"/api/v1/complaints/{complaint.number}/adjudications/{ruling.pk}/appeal/answer",
        {"decision": "overturned", "answer": "录音显示已核实，撤销判定"},
    )
    assert response.status_code == 200, response.content
    answered = response.json()["appeal"]
    assert (answered["reviewer"], answered["decision"]) == ("manager", "overturned")
    assert events_of(complaint)[-1].kind == "appeal_answered"


def test_appeal_on_the_seventh_day_is_accepted(complaint_in, users):
    complaint = complaint_in("investigating")
    ruling = rule(users, complaint, FRIDAY)
    appeal_lodge(
        actor=users["agent"],
        number=complaint.number,
        adjudication_id=ruling.pk,
        reason="不服",
        now=FRIDAY + dt.timedelta(days=7),
    )


def test_appeal_after_seven_days_is_refused(complaint_in, users, client_as):
    complaint = complaint_in("investigating")
    ruling = rule(users, complaint, FRIDAY - dt.timedelta(days=7, seconds=1))
    response, unchanged = refused(
        client_as("agent").post,
        f"/api/v1/complaints/{complaint.number}/adjudications/{ruling.pk}/appeal",
        {"reason": "不服"},
    )
    assert (response.status_code, unchanged) == (409, True)
    assert response.json()["errors"][0]["message"] == "An appeal must be lodged within 7 days of the ruling."


def test_only_the_judged_staff_appeals_and_only_once(complaint_in, users, now):
    complaint = complaint_in("investigating")
    ruling = rule(users, complaint, now)
    before = everything()
    with pytest.raises(PermissionDenied):
        appeal_lodge(actor=users["handler"], number=complaint.number, adjudication_id=ruling.pk, reason="x", now=now)
    with pytest.raises(ValidationFailed):
        appeal_lodge(actor=users["agent"], number=complaint.number, adjudication_id=ruling.pk, reason=" ", now=now)
    assert everything() == before
    appeal_lodge(actor=users["agent"], number=complaint.number, adjudication_id=ruling.pk, reason="x", now=now)
    with pytest.raises(Conflict):
        appeal_lodge(actor=users["agent"], number=complaint.number, adjudication_id=ruling.pk, reason="y", now=now)


def test_the_reviewer_is_a_supervisor_or_above_other_than_the_appellant(complaint_in, users, now):
    complaint = complaint_in("investigating")
    ruling = rule(users, complaint, now, staff="supervisor", who="manager")
    appeal = appeal_lodge(
        actor=users["supervisor"], number=complaint.number, adjudication_id=ruling.pk, reason="不服", now=now
    )
    before = everything()
    with pytest.raises(PermissionDenied):
        appeal_answer(
            actor=users["supervisor"],
            number=complaint.number,
            appeal_id=appeal.pk,
            decision="upheld",
            answer="x",
            now=now,
        )
    with pytest.raises(PermissionDenied):
        appeal_answer(
            actor=users["agent"], number=complaint.number, appeal_id=appeal.pk, decision="upheld", answer="x", now=now
        )
    with pytest.raises(ValidationFailed):
        appeal_answer(
            actor=users["gm"], number=complaint.number, appeal_id=appeal.pk, decision="maybe", answer="x", now=now
        )
    assert everything() == before
    appeal_answer(
        actor=users["gm"], number=complaint.number, appeal_id=appeal.pk, decision="upheld", answer="维持", now=now
    )
    with pytest.raises(Conflict):
        appeal_answer(
            actor=users["manager"],
            number=complaint.number,
            appeal_id=appeal.pk,
            decision="upheld",
            answer="再答",
            now=now,
        )
