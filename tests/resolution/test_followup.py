"""Callbacks (FU-1, FU-2) with their method, and follow-up visits 1–2 months later (FU-3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kesu.core.errors import Conflict, ValidationFailed
from kesu.resolution.followups import add_months, follow_up_record, follow_up_schedule, follow_ups
from kesu.resolution.models import Callback
from tests.complaints.lifecycle import act, events_of
from tests.resolution.conftest import everything, refused


def test_every_attempt_is_logged_with_how(complaint_in, users, now, client_as):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=False, method="phone", comment="无人接听")
    act(users, "agent", complaint, "record_callback", now, reached=False, method="sms", comment="已发短信")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True, score=4, method="visit")
    listing = client_as("manager").get(f"/api/v1/complaints/{complaint.number}/callbacks").json()
    assert [(c["method"], c["reached"], c["satisfied"], c["score"]) for c in listing] == [
        ("phone", False, None, None),
        ("sms", False, None, None),
        ("visit", True, True, 4),
    ]
    assert events_of(complaint)[-1].data["method"] == "visit"


def test_method_defaults_to_phone_and_must_be_known(complaint_in, users, now, client_as):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=False)
    assert Callback.objects.get(complaint=complaint).method == "phone"
    response, unchanged = refused(
        client_as("agent").post,
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "record_callback", "reached": False, "method": "pigeon"},
    )
    assert (response.status_code, response.json()["errors"][0]["field"], unchanged) == (422, "method", True)


def test_unsatisfied_goes_back_to_investigating_one_level_up_and_cannot_be_closed(complaint_in, users, now, client_as):
    complaint = complaint_in("resolved")
    level = complaint.escalation_level
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=False, score=1, method="phone")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == ("investigating", level + 1)
    response, unchanged = refused(
        client_as("manager").post, f"/api/v1/complaints/{complaint.number}/transitions", {"action": "close"}
    )
    assert (response.status_code, unchanged) == (409, True)


def test_satisfied_then_the_manager_closes(complaint_in, users, now):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True, score=5)
    act(users, "manager", complaint, "close", now)
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 2) == dt.date(2027, 1, 15)


def test_follow_up_scheduled_a_month_after_resolution_by_default(complaint_in, users, now, client_as):
    complaint = complaint_in("resolved")
    resolved = timezone.localtime(complaint.resolved_at).date()
    response = client_as("agent").post(
        f"/api/v1/complaints/{complaint.number}/follow-ups", {"purpose": "回访满意度", "assignee": "agent"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["scheduled_for"], data["method"], data["status"]) == (
        add_months(resolved, 1).isoformat(),
        "visit",
        "scheduled",
    )
    assert events_of(complaint)[-1].kind == "follow_up_scheduled"


@pytest.mark.parametrize(("months", "days", "ok"), [(1, -1, False), (1, 0, True), (2, 0, True), (2, 1, False)])
def test_follow_up_within_one_to_two_months(complaint_in, users, now, months, days, ok):
    complaint = complaint_in("resolved")
    day = add_months(timezone.localtime(complaint.resolved_at).date(), months) + dt.timedelta(days=days)
    before = everything()
    if ok:
        follow_up_schedule(
            actor=users["agent"],
            number=complaint.number,
            scheduled_for=day,
            method="phone",
            assignee=None,
            purpose="",
            now=now,
        )
    else:
        with pytest.raises(ValidationFailed):
            follow_up_schedule(
                actor=users["agent"],
                number=complaint.number,
                scheduled_for=day,
                method="phone",
                assignee=None,
                purpose="",
                now=now,
            )
        assert everything() == before


def test_follow_up_only_after_resolution(complaint_in, users, now):
    complaint = complaint_in("implementing")
    with pytest.raises(Conflict):
        follow_up_schedule(
            actor=users["agent"],
            number=complaint.number,
            scheduled_for=None,
            method="visit",
            assignee=None,
            purpose="",
            now=now,
        )


def test_follow_up_done_and_listed(complaint_in, users, now, client_as):
    first = complaint_in("closed")
    second = complaint_in("resolved")
    visit = follow_up_schedule(
        actor=users["agent"],
        number=first.number,
        scheduled_for=None,
        method="visit",
        assignee=users["agent"],
        purpose="",
        now=now,
    )
    follow_up_schedule(
        actor=users["agent"],
        number=second.number,
        scheduled_for=add_months(timezone.localtime(second.resolved_at).date(), 2),
        method="phone",
        assignee=None,
        purpose="",
        now=now,
    )
    agent = client_as("agent")
    due = agent.get("/api/v1/follow-ups", status="scheduled", due_by=visit.scheduled_for.isoformat()).json()
    assert [v["complaint"] for v in due] == [first.number]
    response = agent.post(
        f"/api/v1/complaints/{first.number}/follow-ups/{visit.pk}/done",
        {"satisfied": True, "outcome": "顾客满意，已建议增加冷链监控"},
    )
    assert (response.status_code, response.json()["status"]) == (200, "done")
    assert [v["complaint"] for v in agent.get("/api/v1/follow-ups", status="scheduled").json()] == [second.number]
    before = everything()
    with pytest.raises(Conflict):
        follow_up_record(
            actor=users["agent"], number=first.number, visit_id=visit.pk, satisfied=True, outcome="再次", now=now
        )
    assert everything() == before
    assert len(follow_ups(user=users["auditor"])) == 2
