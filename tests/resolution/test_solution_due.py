"""RS-2: a solution names its responsible person and its due date, tracked as the complaint's
`solution_due` deadline (met when resolved, missed and escalated by the sweep)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kesu.core.errors import ValidationFailed
from kesu.deadlines.models import ComplaintDeadline, Escalation
from kesu.deadlines.sweep import sweep
from kesu.resolution.models import Solution
from tests.complaints.lifecycle import act, events_of
from tests.resolution.conftest import everything

SHANGHAI = ZoneInfo("Asia/Shanghai")
REFUND = [{"type": "refund", "amount": "50.00"}]


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def in_days(now: dt.datetime, days: int) -> dt.date:
    return timezone.localtime(now, SHANGHAI).date() + dt.timedelta(days=days)


def solution_deadline(complaint) -> ComplaintDeadline:
    return ComplaintDeadline.objects.get(complaint=complaint, kind="solution_due")


def written() -> dict[str, Any]:
    return {**everything(), "deadlines": list(ComplaintDeadline.objects.order_by("id").values())}


def test_a_solution_names_its_responsible_person_and_due_date(complaint_in, users, now):
    complaint = complaint_in("investigating")
    due = in_days(now, 5)
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, responsible="agent", due_date=str(due))
    solution = Solution.objects.get(complaint=complaint)
    assert (solution.responsible.username, solution.due_at) == ("agent", end_of(due))
    row = solution_deadline(complaint)
    assert (row.state, row.started_at, row.due_at, row.missed_at) == ("open", now, end_of(due), None)
    assert row.basis["tracked"]["responsible"] == "agent"
    data = events_of(complaint)[-1].data
    assert (data["responsible"], data["due_at"]) == ("agent", end_of(due).isoformat())


def test_without_the_fields_the_proposer_is_responsible_by_the_closing_deadline(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND)
    complaint.refresh_from_db()
    solution = Solution.objects.get(complaint=complaint)
    assert (solution.responsible.username, solution.due_at) == ("handler", complaint.close_due)
    assert solution_deadline(complaint).due_at == complaint.close_due


def test_today_is_accepted_as_the_due_date(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, due_date=str(in_days(now, 0)))
    assert solution_deadline(complaint).due_at == end_of(in_days(now, 0))


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"responsible": "nobody"}, "responsible", "not_found"),
        ({"responsible": "auditor"}, "responsible", "invalid"),
        ({"responsible": "retired"}, "responsible", "not_found"),
        ({"due_date": "yesterday"}, "due_date", "past_date"),
        ({"due_date": "2026/12/01"}, "due_date", "invalid_date"),
        ({"due_date": "2026-02-30"}, "due_date", "invalid_date"),
    ],
)
def test_a_refused_responsible_person_or_due_date_writes_nothing(complaint_in, users, now, fields, field, code):
    users["agent3"].is_active = False
    users["agent3"].username = "retired"
    users["agent3"].save()
    complaint = complaint_in("investigating")
    if fields.get("due_date") == "yesterday":
        fields = {"due_date": str(in_days(now, -1))}
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, **fields)
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert written() == before


def test_the_solution_deadline_is_met_when_the_complaint_is_resolved(complaint_in, users, now):
    complaint = complaint_in("resolved")
    row = solution_deadline(complaint)
    assert (row.state, row.met_at, row.on_time) == ("met", now, True)


def test_a_new_round_moves_the_deadline_and_a_rejection_cancels_it(complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "reject_approval", now, reason="金额偏高")
    assert solution_deadline(complaint).state == "cancelled"
    due = in_days(now, 2)
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, due_date=str(due))
    row = solution_deadline(complaint)
    assert (row.state, row.due_at, row.basis["tracked"]["round"]) == ("open", end_of(due), 2)


def test_a_missed_solution_deadline_is_marked_overdue_and_escalated_once(complaint_in, users, now):
    complaint = complaint_in("investigating")
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, due_date=str(in_days(now, 1)))
    late = end_of(in_days(now, 1)) + dt.timedelta(minutes=1)
    sweep(now=late)
    row = solution_deadline(complaint)
    complaint.refresh_from_db()
    assert (row.missed_at, row.on_time, row.escalated_at, complaint.overdue) == (late, False, late, True)
    escalation = Escalation.objects.get(complaint=complaint, deadline=row)
    assert escalation.cause == "overdue" and "落实解决方案" in escalation.reason
    assert sweep(now=late + dt.timedelta(hours=1)).escalated == 0
    assert Escalation.objects.filter(deadline=row).count() == 1


def test_a_recomputation_leaves_the_solution_deadline_as_it_is(complaint_in, users, now):
    complaint = complaint_in("investigating")
    due = in_days(now, 4)
    act(users, "handler", complaint, "propose_solution", now, remedies=REFUND, due_date=str(due))
    from kesu.deadlines.services import deadlines_recompute

    deadlines_recompute(complaint=complaint, actor=None, now=now, reason="test")
    row = solution_deadline(complaint)
    assert (row.state, row.due_at) == ("open", end_of(due))


def test_the_api_takes_and_lists_the_responsible_person_and_due_date(complaint_in, client_as, now):
    complaint = complaint_in("investigating")
    due = in_days(now, 3)
    response = client_as("handler").post(
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "propose_solution", "remedies": REFUND, "responsible": "supervisor", "due_date": str(due)},
    )
    assert response.status_code == 200, response.content
    listing = client_as("auditor").get(f"/api/v1/complaints/{complaint.number}/solutions").json()
    assert (listing[0]["responsible"], dt.datetime.fromisoformat(listing[0]["due_at"])) == ("supervisor", end_of(due))


def test_the_api_refuses_a_past_due_date_with_422(complaint_in, client_as, now):
    complaint = complaint_in("investigating")
    before = written()
    response = client_as("handler").post(
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "propose_solution", "remedies": REFUND, "due_date": str(in_days(now, -3))},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["due_date"]
    assert written() == before
