"""Who may take which action, through the API: 403 for a role that may not, in a state where
the action is legal; the auditor is read-only everywhere; handlers and agents act on their
own work only. Every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.accounts.models import Role
from kesu.complaints.models import Complaint
from tests.complaints.lifecycle import (
    ACTIONS,
    LEGAL_STATE,
    MAY_TAKE,
    REFUSED_ROLES,
    STATES,
    act,
    investigate,
    ready,
    snapshot,
    valid_payload,
)
from tests.conftest import intake_payload, make_user

# Actions a handler or an agent may take only on their own work.
OWN_WORK = ("start_investigation", "propose_solution", "resolve")


@pytest.fixture(autouse=True)
def _no_sign_in_limit(settings):
    # Every test signs in; the login rate limit is not what these tests are about.
    settings.KESU_LOGIN_RATE_LIMIT = "100000/60"


def post(api, role: str, complaint: Complaint, payload: dict[str, Any]):
    return api(role).post(f"/api/v1/complaints/{complaint.number}/transitions", payload)


@pytest.mark.parametrize(("action", "role"), REFUSED_ROLES)
def test_role_that_may_not_take_the_action_gets_403(complaint_in, register, users, now, api, action, role):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=LEGAL_STATE[action], action=action
    )
    client = api(role)
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", payload)
    assert (response.status_code, snapshot() == before) == (403, True), response.content


def test_refused_role_gets_an_error_body(complaint_in, users, api):
    complaint = complaint_in("resolved")
    response = post(api, "handler", complaint, {"action": "record_callback", "reached": True, "satisfied": True})
    assert [e["field"] for e in response.json()["errors"]] == [None]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_auditor_gets_403_for_every_action_in_every_state(complaint_in, register, users, now, api, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    client = api("auditor")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", payload)
    assert (response.status_code, snapshot() == before) == (403, True), response.content


def test_auditor_may_not_register(api, users):
    client = api("auditor")
    before = snapshot()
    response = client.post("/api/v1/complaints", intake_payload())
    assert (response.status_code, snapshot() == before) == (403, True), response.content


def test_auditor_may_not_register_a_settlement(api, users):
    client = api("auditor")
    before = snapshot()
    response = client.post(
        "/api/v1/complaints", intake_payload(settlement={"kind": "on_the_spot", "result": "当场退款"})
    )
    assert (response.status_code, snapshot() == before) == (403, True), response.content


# --- allowed roles succeed --------------------------------------------------------------------

ALLOWED_ROLES = sorted(
    (action, role)
    for action in ACTIONS
    for role in MAY_TAKE[action]
    # The administrator's approval authority is 0 (not a business approver); see test_transitions.
    if not (role == "admin" and action in ("approve", "reject_approval"))
)


def _owned_by_agent(register, users, now, state: str) -> Complaint:
    """A complaint the agent handles themselves (customer service), brought into `state`."""
    complaint = register()
    act(users, "agent", complaint, "acknowledge", now)
    act(users, "supervisor", complaint, "assign", now, department="customer_service", assignee="agent")
    if state == "assigned":
        return complaint
    act(users, "agent", complaint, "start_investigation", now)
    investigate(users, "agent", complaint, now)
    if state == "investigating":
        return complaint
    act(users, "agent", complaint, "propose_solution", now, remedies=[{"type": "refund", "amount": "10.00"}])
    act(users, "agent", complaint, "customer_accept", now)
    assert state == "implementing"
    return complaint


@pytest.mark.parametrize(("action", "role"), ALLOWED_ROLES)
def test_role_that_may_take_the_action_succeeds(complaint_in, register, users, now, api, action, role):
    state = LEGAL_STATE[action]
    if role == "agent" and action in OWN_WORK:
        complaint, payload = _owned_by_agent(register, users, now, state), valid_payload(action)
    elif action in ("approve", "reject_approval"):
        # 10.00 is within every approver's authority (the agent's is 20).
        complaint, payload = complaint_in("investigating"), valid_payload(action)
        act(users, "handler", complaint, "propose_solution", now, remedies=[{"type": "refund", "amount": "10.00"}])
    else:
        complaint, payload = ready(
            complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
        )
    response = post(api, role, complaint, payload)
    assert response.status_code == 200, response.content


# --- own work: departments and assignees ------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_handler_of_another_department_cannot_act(complaint_in, register, users, now, api, action):
    make_user("courier", Role.HANDLER, "logistics")
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=LEGAL_STATE[action], action=action
    )
    client = api("courier")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", payload)
    # Another department's complaint is not even visible to a handler.
    assert (response.status_code, snapshot() == before) == (404, True), response.content


@pytest.mark.parametrize("action", OWN_WORK)
def test_handler_cannot_act_on_a_colleagues_complaint(complaint_in, register, users, now, api, action):
    make_user("inspector", Role.HANDLER, "quality")
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=LEGAL_STATE[action], action=action
    )
    client = api("inspector")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", payload)
    assert (response.status_code, snapshot() == before) == (403, True), response.content


@pytest.mark.parametrize("action", OWN_WORK)
def test_agent_cannot_act_on_another_departments_complaint(complaint_in, register, users, now, api, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=LEGAL_STATE[action], action=action
    )
    client = api("agent")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", payload)
    assert (response.status_code, snapshot() == before) == (403, True), response.content


def test_handler_may_start_an_unassigned_complaint_of_their_department(complaint_in, users, now, api):
    complaint = complaint_in("acknowledged")
    act(users, "supervisor", complaint, "assign", now, department="quality")
    response = post(api, "handler", complaint, {"action": "start_investigation"})
    assert (response.status_code, response.json()["status"]) == (200, "investigating")


def test_offered_actions_leave_out_a_colleagues_work(complaint_in, users, api):
    make_user("inspector", Role.HANDLER, "quality")
    complaint = complaint_in("investigating")
    response = api("inspector").get(f"/api/v1/complaints/{complaint.number}")
    assert response.json()["actions"] == ["escalate"]
