"""OP-1 roster and OP-3 shift swaps on real 2026 dates.

March 2026 starts on a Sunday; its working days rotate agent/agent2/agent3 over early, late, rest:
2 Mar agent early, agent2 late, agent3 rests; 3 Mar agent late, agent2 rests; 4 Mar agent rests;
5 Mar agent early (agent3 rests); 6 Mar agent late; 10 Mar agent early; 13 Mar agent early."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.desk.models import RosterEntry, SwapStatus
from kesu.desk.swaps import swap_agree, swap_approve, swap_refuse, swap_request, swap_withdraw
from kesu.notifications.models import OutboxMessage
from tests.desk.conftest import at, everything

pytestmark = pytest.mark.django_db


def shift_of(user, day: dt.date) -> str | None:
    entry = RosterEntry.objects.filter(user=user, date=day).select_related("shift").first()
    return entry.shift.code if entry else None


def test_the_roster_covers_working_days_only_and_rotates(desk, users):
    assert shift_of(users["agent"], dt.date(2026, 3, 2)) == "early"
    assert shift_of(users["agent2"], dt.date(2026, 3, 2)) == "late"
    assert shift_of(users["agent3"], dt.date(2026, 3, 2)) is None
    assert not RosterEntry.objects.filter(date=dt.date(2026, 3, 7)).exists()  # a Saturday
    assert not RosterEntry.objects.filter(date=dt.date(2026, 10, 1)).exists()  # National Day
    assert RosterEntry.objects.filter(date=dt.date(2026, 9, 20)).exists()  # 调休: a Sunday worked


def test_a_swap_is_agreed_by_the_partner_and_approved_by_the_manager(desk, users, api):
    response = api("agent").post("/api/v1/shift-swaps", {"partner": "agent3", "date": "2026-03-02"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"id": body["id"], "status": "awaiting_partner"}
    assert api("agent2").post(f"/api/v1/shift-swaps/{body['id']}/agree").status_code == 403
    assert api("agent3").post(f"/api/v1/shift-swaps/{body['id']}/agree").status_code == 200
    assert api("supervisor").post(f"/api/v1/shift-swaps/{body['id']}/approve").status_code == 403
    approved = api("manager").post(f"/api/v1/shift-swaps/{body['id']}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert shift_of(users["agent3"], dt.date(2026, 3, 2)) == "early"
    assert shift_of(users["agent"], dt.date(2026, 3, 2)) is None


def test_a_fourth_swap_in_the_month_is_refused_naming_date(desk, users, api):
    for day in ("2026-03-02", "2026-03-05", "2026-03-10"):
        assert api("agent").post("/api/v1/shift-swaps", {"partner": "agent3", "date": day}).status_code == 201
    before = everything()
    response = api("agent").post("/api/v1/shift-swaps", {"partner": "agent3", "date": "2026-03-13"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "date"
    assert error["code"] == "too_many_swaps"
    assert "4" in error["message"]
    assert everything() == before


def test_a_swap_right_after_the_previous_one_is_refused(desk, users):
    swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        # 3 March follows 2 March with no worked shift between.
        swap_request(actor=users["agent"], partner="agent2", date="2026-03-03", now=at(2026, 3, 1, 9, 0))
    assert refused.value.errors[0].field == "date"
    assert refused.value.errors[0].code == "consecutive_swap"
    assert everything() == before
    # 5 March: agent worked the late shift of 3 March in between, so it is allowed.
    swap_request(actor=users["agent"], partner="agent3", date="2026-03-05", now=at(2026, 3, 1, 9, 0))


def test_no_swap_on_a_public_holiday(desk, users, api):
    before = everything()
    response = api("agent").post("/api/v1/shift-swaps", {"partner": "agent3", "date": "2026-10-01"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("date", "public_holiday")
    assert "2026-10-01" in error["message"]
    assert everything() == before


def test_only_the_requesters_department_manager_approves(desk, users):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    swap_agree(actor=users["agent3"], swap_id=swap.pk, now=at(2026, 3, 1, 10, 0))
    with pytest.raises(PermissionDenied):
        swap_approve(actor=users["agent"], swap_id=swap.pk, now=at(2026, 3, 1, 11, 0))
    swap.refresh_from_db()
    assert swap.status == SwapStatus.AWAITING_APPROVAL


def test_the_requester_withdraws_a_swap_awaiting_the_partner(desk, users, api):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    response = api("agent").post(f"/api/v1/shift-swaps/{swap.pk}/withdraw")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    swap.refresh_from_db()
    assert (swap.status, swap.withdrawn_at is not None) == (SwapStatus.WITHDRAWN, True)
    assert OutboxMessage.objects.filter(
        kind="shift_swap", subject="换班申请已撤回", recipient_user=users["agent3"]
    ).exists()
    # Withdrawn, it no longer blocks the next day as a consecutive swap.
    swap_request(actor=users["agent"], partner="agent2", date="2026-03-03", now=at(2026, 3, 1, 9, 5))


def test_the_requester_withdraws_an_agreed_swap_and_the_manager_is_told(desk, users):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    swap_agree(actor=users["agent3"], swap_id=swap.pk, now=at(2026, 3, 1, 10, 0))
    swap_withdraw(actor=users["agent"], swap_id=swap.pk, now=at(2026, 3, 1, 11, 0))
    told = set(
        OutboxMessage.objects.filter(kind="shift_swap", subject="换班申请已撤回").values_list(
            "recipient_user__username", flat=True
        )
    )
    assert told == {"agent3", "manager"}
    assert shift_of(users["agent"], dt.date(2026, 3, 2)) == "early"


@pytest.mark.parametrize("who", ["agent3", "agent2", "manager"])
def test_only_the_requester_withdraws(desk, users, api, who):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    before = everything()
    response = api(who).post(f"/api/v1/shift-swaps/{swap.pk}/withdraw")
    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize("decision", ["approved", "refused", "withdrawn"])
def test_a_decided_swap_is_not_withdrawn(desk, users, api, decision):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    if decision == "withdrawn":
        swap_withdraw(actor=users["agent"], swap_id=swap.pk, now=at(2026, 3, 1, 9, 30))
    else:
        swap_agree(actor=users["agent3"], swap_id=swap.pk, now=at(2026, 3, 1, 10, 0))
        decide = swap_approve if decision == "approved" else swap_refuse
        decide(actor=users["manager"], swap_id=swap.pk, now=at(2026, 3, 1, 11, 0))
    before = everything()
    response = api("agent").post(f"/api/v1/shift-swaps/{swap.pk}/withdraw")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "decided"
    assert everything() == before
    with pytest.raises(Conflict):
        swap_withdraw(actor=users["agent"], swap_id=swap.pk, now=at(2026, 3, 1, 12, 0))


def test_the_partner_declines_and_the_roster_stays(desk, users, api):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    before = everything()
    assert api("agent2").post(f"/api/v1/shift-swaps/{swap.pk}/refuse").status_code == 403
    assert api("manager").post(f"/api/v1/shift-swaps/{swap.pk}/refuse").status_code == 403  # not asked yet
    assert everything() == before
    response = api("agent3").post(f"/api/v1/shift-swaps/{swap.pk}/refuse")
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert shift_of(users["agent"], dt.date(2026, 3, 2)) == "early"
    assert OutboxMessage.objects.filter(
        kind="shift_swap", subject="换班申请未获同意", recipient_user=users["agent"]
    ).exists()


def test_the_manager_refuses_an_agreed_swap(desk, users):
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    swap_agree(actor=users["agent3"], swap_id=swap.pk, now=at(2026, 3, 1, 10, 0))
    before = everything()
    with pytest.raises(PermissionDenied):
        swap_refuse(actor=users["agent3"], swap_id=swap.pk, now=at(2026, 3, 1, 10, 30))
    assert everything() == before
    swap = swap_refuse(actor=users["manager"], swap_id=swap.pk, now=at(2026, 3, 1, 11, 0))
    assert (swap.status, swap.refused_by) == (SwapStatus.REFUSED, users["manager"])
    assert shift_of(users["agent"], dt.date(2026, 3, 2)) == "early"
