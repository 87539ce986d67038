"""OP-2 handover keeps the outgoing shift open; OP-1 routing to the agent on duty; OP-4 forbidden
phrases block what reaches the customer, naming the field and the phrase."""

from __future__ import annotations

import pytest

from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.desk.handover import handover_accept, handover_write
from kesu.desk.phrases import phrase_add
from kesu.desk.roster import agent_on_duty, on_duty
from tests.desk.conftest import at, everything

pytestmark = pytest.mark.django_db


def on_duty_names(team, when):
    return {(d.entry.user.username, d.held_over) for d in on_duty(team=team, now=when)}


def test_the_outgoing_shift_is_not_over_until_the_handover_is_accepted(desk, users):
    # 2 March 2026: agent works 08:00-15:00, agent2 15:00-22:00.
    assert on_duty_names(desk, at(2026, 3, 2, 10, 0)) == {("agent", False)}
    assert on_duty_names(desk, at(2026, 3, 2, 15, 30)) == {("agent", True), ("agent2", False)}
    handover = handover_write(
        actor=users["agent"],
        incoming="agent2",
        equipment="2 号耳机有杂音",
        difficult="",
        staffing="",
        now=at(2026, 3, 2, 15, 0),
    )
    assert on_duty_names(desk, at(2026, 3, 2, 15, 30)) == {("agent", True), ("agent2", False)}
    handover_accept(actor=users["agent2"], handover_id=handover.pk, now=at(2026, 3, 2, 15, 10))
    assert on_duty_names(desk, at(2026, 3, 2, 15, 30)) == {("agent2", False)}


def test_only_the_incoming_agent_accepts(desk, users):
    handover = handover_write(
        actor=users["agent"], incoming="agent2", equipment="正常", difficult="", staffing="", now=at(2026, 3, 2, 15, 0)
    )
    before = everything()
    with pytest.raises(PermissionDenied):
        handover_accept(actor=users["agent3"], handover_id=handover.pk, now=at(2026, 3, 2, 15, 10))
    assert everything() == before


def test_the_difficult_open_complaints_are_offered_from_the_queue(desk, users, register):
    from kesu.desk.handover import prefill_difficult

    complaint = register(now_=at(2026, 3, 2, 9, 0), received_at=at(2026, 3, 2, 9, 0).isoformat())
    text, numbers = prefill_difficult(users["agent"])
    assert numbers == [complaint.number]
    assert complaint.number in text


def test_new_phone_and_walk_in_complaints_go_to_the_agent_on_duty(desk, users, register):
    when = at(2026, 3, 2, 16, 0)  # agent2's late shift
    phoned = register(actor=users["supervisor"], now_=when, channel="phone", category="other")
    walked_in = register(actor=users["supervisor"], now_=when, channel="walk_in", category="other")
    emailed = register(
        actor=users["supervisor"],
        now_=when,
        channel="email",
        category="other",
        customer={"name": "李四", "email": "li@example.com"},
    )
    assert phoned.assignee == users["agent2"]
    assert walked_in.assignee == users["agent2"]
    assert emailed.assignee is None
    # An agent who takes a call themselves keeps it, on duty or not (IN-6 first-contact responsibility).
    taken = register(actor=users["agent3"], now_=when, channel="phone", category="other")
    assert taken.assignee is None and taken.recorded_by == users["agent3"]
    # The agent taking the call is preferred when on duty themselves.
    assert agent_on_duty(now=at(2026, 3, 2, 10, 0), prefer=users["agent"]) == users["agent"]
    assert agent_on_duty(now=at(2026, 3, 7, 10, 0)) is None  # a Saturday: nobody rostered


def test_managers_keep_phrases_and_agents_may_not(users, api):
    response = api("manager").post("/api/v1/service-phrases", {"text": "不归我管", "kind": "forbidden"})
    assert response.status_code == 201
    assert response.json()["kind"] == "forbidden"
    assert api("agent").post("/api/v1/service-phrases", {"text": "没办法", "kind": "forbidden"}).status_code == 403
    bad = api("manager").post("/api/v1/service-phrases", {"text": "x", "kind": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"


def test_a_forbidden_phrase_blocks_a_note_to_the_customer_and_names_it(users, register, now):
    from kesu.complaints.services.notes import complaint_note_add

    phrase_add(actor=users["manager"], text="不归我管", kind="forbidden", now=now)
    complaint = register()
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        # Traditional characters and spacing do not hide the phrase.
        complaint_note_add(
            actor=users["agent"],
            number=complaint.number,
            text="这事不歸 我管，请找门店。",
            visibility="customer",
            now=now,
        )
    error = refused.value.errors[0]
    assert (error.field, error.code) == ("text", "forbidden_phrase")
    assert "不归我管" in str(error.message)
    assert everything() == before
    # An internal note is not for the customer.
    complaint_note_add(
        actor=users["agent"], number=complaint.number, text="客户说：不归我管。", visibility="internal", now=now
    )


def test_a_forbidden_phrase_blocks_a_result(users, complaint_in, now):
    from kesu.complaints.services.transitions import complaint_transition

    phrase_add(actor=users["manager"], text="爱买不买", kind="forbidden", now=now)
    complaint = complaint_in("implementing")
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        complaint_transition(
            actor=users["handler"],
            number=complaint.number,
            action="resolve",
            payload={"action": "resolve", "result": "已退款，爱买不买。"},
            now=now,
        )
    assert refused.value.errors[0].field == "result"
    assert "爱买不买" in str(refused.value.errors[0].message)
    assert everything() == before


def test_a_forbidden_phrase_blocks_a_letter(users, complaint_in, now, api):
    phrase_add(actor=users["manager"], text="没办法", kind="forbidden", now=now)
    complaint = complaint_in("investigating")
    before = everything()
    response = api("agent").post(
        f"/api/v1/complaints/{complaint.number}/letters", {"kind": "apology", "cause": "仓库说没办法"}
    )
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "cause"
    assert "没办法" in error["message"]
    assert everything() == before


def test_quality_reviews_see_the_phrases_used_and_missing(users, complaint_in, now):
    from kesu.desk.phrases import phrase_review_many

    complaint = complaint_in("resolved")  # result: 已退款 50 元。
    phrase_add(actor=users["manager"], text="退款", kind="forbidden", now=now)
    phrase_add(actor=users["manager"], text="再见", kind="required", now=now)
    review = phrase_review_many([complaint.pk])[complaint.pk]
    assert review.forbidden == ["退款"]
    assert review.missing == ["再见"]


def test_a_forbidden_phrase_is_refused_in_a_canned_response(users, now):
    from kesu.notifications.canned import canned_response_save
    from kesu.notifications.models import CannedResponse

    phrase_add(actor=users["manager"], text="没办法", kind="forbidden", now=now)
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        canned_response_save(
            actor=users["manager"],
            values={"title": "婉拒", "body": "这个我们也没办法。", "purpose": "note", "language": "zh-hans"},
            now=now,
        )
    error = refused.value.errors[0]
    assert (error.field, error.code) == ("body", "forbidden_phrase")
    assert "没办法" in str(error.message)
    assert everything() == before
    assert not CannedResponse.objects.exists()
