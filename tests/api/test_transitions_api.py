"""POST /api/v1/complaints/{number}/transitions: every state × action as the contract says
(200 or 409), the error bodies, and no writes on any refusal."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.complaints.models import Complaint
from tests.complaints.lifecycle import ACTOR, ALLOWED_CELLS, EXPECTED_TARGET, REFUSED_CELLS, act, ready, snapshot


@pytest.fixture(autouse=True)
def _no_sign_in_limit(settings):
    # Every test signs in; the login rate limit is not what these tests are about.
    settings.KESU_LOGIN_RATE_LIMIT = "100000/60"


def url(complaint: Complaint | str) -> str:
    number = complaint if isinstance(complaint, str) else complaint.number
    return f"/api/v1/complaints/{number}/transitions"


def refused(client, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, list[str | None], bool]:
    """Status, error fields, and whether nothing at all was written."""
    before = snapshot()
    response = client.post(path, body, raw=raw)
    return response.status_code, [e["field"] for e in response.json()["errors"]], snapshot() == before


@pytest.mark.parametrize(("state", "action"), ALLOWED_CELLS)
def test_allowed_action_returns_200_with_the_new_status(complaint_in, register, users, now, api, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    response = api(ACTOR[action]).post(url(complaint), payload)
    assert (response.status_code, response.json()["status"]) == (200, EXPECTED_TARGET[(state, action)])


@pytest.mark.parametrize(("state", "action"), ALLOWED_CELLS)
def test_allowed_action_shows_on_the_returned_timeline(complaint_in, register, users, now, api, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    event = api(ACTOR[action]).post(url(complaint), payload).json()["timeline"][-1]
    assert (event["kind"], event["actor"], event["from_status"], event["to_status"]) == (
        action,
        ACTOR[action],
        state,
        EXPECTED_TARGET[(state, action)],
    )


@pytest.mark.parametrize(("state", "action"), REFUSED_CELLS)
def test_action_not_allowed_in_the_state_is_409_and_writes_nothing(
    complaint_in, register, users, now, api, state, action
):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    client = api(ACTOR[action])
    assert refused(client, url(complaint), payload) == (409, [None], True)


# --- 422: the request itself is wrong --------------------------------------------------------


def test_unknown_action_is_422_naming_action(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("manager"), url(complaint), {"action": "delete"}) == (422, ["action"], True)


def test_missing_action_is_422_naming_action(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("manager"), url(complaint), {"reason": "x"}) == (422, ["action"], True)


def test_body_that_is_not_json_is_422(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("manager"), url(complaint), raw=b"{action: escalate") == (422, [None], True)


def test_body_that_is_not_an_object_is_422(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("manager"), url(complaint), ["escalate"]) == (422, [None], True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"department": "marketing", "assignee": "handler"}, "department"),
        ({"department": "quality", "assignee": "nobody"}, "assignee"),
        ({"department": "物流部", "assignee": "handler"}, "assignee"),
    ],
)
def test_assign_with_a_bad_department_or_assignee_is_422(complaint_in, api, body, field):
    complaint = complaint_in("acknowledged")
    assert refused(api("supervisor"), url(complaint), {"action": "assign", **body}) == (422, [field], True)


def test_assign_by_department_name_is_accepted(complaint_in, api):
    complaint = complaint_in("acknowledged")
    response = api("supervisor").post(
        url(complaint), {"action": "assign", "department": "品质部", "assignee": "handler"}
    )
    assert (response.status_code, response.json()["department"], response.json()["assignee"]) == (
        200,
        "quality",
        "handler",
    )


def test_rule_invalid_with_an_unknown_reason_is_422(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("supervisor"), url(complaint), {"action": "rule_invalid", "reason": "rude"}) == (
        422,
        ["reason"],
        True,
    )


def test_merge_into_an_unknown_complaint_is_422(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("supervisor"), url(complaint), {"action": "merge", "into": "209901-99999"}) == (
        422,
        ["into"],
        True,
    )


# --- 409 from guards, 403 from authority, 404 ---------------------------------------------------


def test_merge_into_itself_is_409(complaint_in, api):
    complaint = complaint_in("investigating")
    assert refused(api("supervisor"), url(complaint), {"action": "merge", "into": complaint.number}) == (
        409,
        ["into"],
        True,
    )


def test_merge_into_a_closed_complaint_is_409(complaint_in, api):
    target = complaint_in("closed")
    complaint = complaint_in("investigating")
    assert refused(api("supervisor"), url(complaint), {"action": "merge", "into": target.number}) == (
        409,
        ["into"],
        True,
    )


def test_customer_accept_before_approval_is_409(complaint_in, api):
    complaint = complaint_in("solution_proposed")
    assert refused(api("agent"), url(complaint), {"action": "customer_accept"}) == (409, [None], True)


def test_close_without_a_satisfied_callback_is_409(complaint_in, api):
    complaint = complaint_in("resolved")
    assert refused(api("manager"), url(complaint), {"action": "close"}) == (409, [None], True)


def test_approver_without_enough_authority_is_403(complaint_in, api):
    complaint = complaint_in("solution_proposed")  # 50.00 proposed by the handler
    assert refused(api("agent"), url(complaint), {"action": "approve"}) == (403, [None], True)


def test_unknown_number_is_404(api, users):
    assert refused(api("manager"), url("209901-99999"), {"action": "escalate", "reason": "x"}) == (404, [None], True)


# --- what the response shows ------------------------------------------------------------------


def test_escalate_returns_the_new_level(complaint_in, api):
    complaint = complaint_in("investigating")
    response = api("handler").post(url(complaint), {"action": "escalate", "reason": "顾客要求见经理"})
    assert response.json()["escalation_level"] == 1


def test_unsatisfied_callback_returns_investigating_one_level_up(complaint_in, api):
    complaint = complaint_in("resolved")
    body = api("agent").post(url(complaint), {"action": "record_callback", "reached": True, "satisfied": False}).json()
    assert (body["status"], body["escalation_level"]) == ("investigating", 1)


def test_approval_then_customer_accept_through_the_api(complaint_in, users, now, api):
    complaint = complaint_in("solution_proposed")
    assert api("supervisor").post(url(complaint), {"action": "approve"}).status_code == 200
    assert api("agent").post(url(complaint), {"action": "customer_accept"}).json()["status"] == "implementing"


def test_reopened_resolved_contact_is_a_complaint_in_the_response(register, users, now, api):
    complaint = register(settlement={"kind": "resolved_contact", "result": "已解释"})
    body = api("supervisor").post(url(complaint), {"action": "reopen", "reason": "仍有异议"}).json()
    assert (body["status"], body["is_resolved_contact"]) == ("investigating", False)


def test_offered_actions_follow_the_guards(complaint_in, users, now, api):
    complaint = complaint_in("resolved")
    act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True)
    actions = api("manager").get(f"/api/v1/complaints/{complaint.number}").json()["actions"]
    assert sorted(actions) == ["close", "escalate", "merge", "record_callback", "reopen", "rule_invalid", "withdraw"]
