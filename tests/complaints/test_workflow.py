"""The transition table, exhaustively: every state × every action, allowed or refused (409)."""

from __future__ import annotations

import pytest

from kesu.complaints import workflow
from kesu.complaints.models import Status
from kesu.core.errors import Conflict
from tests.complaints.lifecycle import (
    ACTIONS,
    ACTOR,
    ALLOWED_CELLS,
    EXPECTED_TARGET,
    OPEN_STATES,
    REFUSED_CELLS,
    STATES,
    TERMINAL_STATES,
    act,
    audit_of,
    events_of,
    ready,
    snapshot,
)

# --- the expectations themselves follow API.md ---------------------------------------------


def test_the_contract_names_eleven_states_and_sixteen_actions():
    assert (len(STATES), len(ACTIONS)) == (11, 16)


def test_the_model_has_exactly_the_contract_states():
    assert sorted(Status.values) == sorted(STATES)


def test_the_workflow_knows_exactly_the_contract_actions():
    assert sorted(workflow.ALL_ACTIONS) == sorted(ACTIONS)


@pytest.mark.parametrize("action", ["escalate", "withdraw", "merge", "rule_invalid"])
def test_expected_matrix_allows_action_in_every_open_state_only(action):
    assert [s for s in STATES if (s, action) in EXPECTED_TARGET] == list(OPEN_STATES)


def test_expected_matrix_reopens_from_resolved_or_closed_only():
    assert [s for s in STATES if (s, "reopen") in EXPECTED_TARGET] == ["resolved", "closed"]


def test_expected_matrix_sends_customer_reject_back_to_investigating():
    assert EXPECTED_TARGET[("solution_proposed", "customer_reject")] == "investigating"


def test_expected_matrix_terminal_states_allow_only_reopen_from_closed():
    allowed = [(s, a) for (s, a) in EXPECTED_TARGET if s in TERMINAL_STATES]
    assert allowed == [("closed", "reopen")]


# --- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), [(s, a) for s in STATES for a in ACTIONS])
def test_table_has_an_entry_exactly_where_the_contract_allows(state, action):
    assert (workflow.find(state, action) is not None) == ((state, action) in EXPECTED_TARGET)


# --- the service, on real complaints --------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), ALLOWED_CELLS)
def test_allowed_transition_reaches_expected_state(complaint_in, register, users, now, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    act(users, ACTOR[action], complaint, action, now, **{k: v for k, v in payload.items() if k != "action"})
    complaint.refresh_from_db()
    assert complaint.status == EXPECTED_TARGET[(state, action)]


@pytest.mark.parametrize(("state", "action"), ALLOWED_CELLS)
def test_allowed_transition_writes_one_event_with_actor_and_statuses(complaint_in, register, users, now, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    before = {e.pk for e in events_of(complaint)}
    act(users, ACTOR[action], complaint, action, now, **{k: v for k, v in payload.items() if k != "action"})
    new = [(e.kind, e.actor_id, e.from_status, e.to_status) for e in events_of(complaint) if e.pk not in before]
    assert new == [(action, users[ACTOR[action]].pk, state, EXPECTED_TARGET[(state, action)])]


@pytest.mark.parametrize(("state", "action"), ALLOWED_CELLS)
def test_allowed_transition_writes_one_audit_record(complaint_in, register, users, now, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    before = {r.pk for r in audit_of(complaint)}
    act(users, ACTOR[action], complaint, action, now, **{k: v for k, v in payload.items() if k != "action"})
    new = [
        (r.action, r.actor_id, r.actor, r.data["from"], r.data["to"]) for r in audit_of(complaint) if r.pk not in before
    ]
    actor = users[ACTOR[action]]
    assert new == [(f"complaint.{action}", actor.pk, actor.username, state, EXPECTED_TARGET[(state, action)])]


@pytest.mark.parametrize(("state", "action"), REFUSED_CELLS)
def test_refused_transition_is_a_409_conflict(complaint_in, register, users, now, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    with pytest.raises(Conflict) as refused:
        act(users, ACTOR[action], complaint, action, now, **{k: v for k, v in payload.items() if k != "action"})
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")


@pytest.mark.parametrize(("state", "action"), REFUSED_CELLS)
def test_refused_transition_writes_nothing(complaint_in, register, users, now, state, action):
    complaint, payload = ready(
        complaint_in=complaint_in, register=register, users=users, now=now, state=state, action=action
    )
    before = snapshot()
    with pytest.raises(Conflict):
        act(users, ACTOR[action], complaint, action, now, **{k: v for k, v in payload.items() if k != "action"})
    assert snapshot() == before


@pytest.mark.parametrize("state", STATES)
def test_manager_is_offered_exactly_the_allowed_actions_by_role(complaint_in, users, state):
    # The manager may take every action, so the list is the state's row of the matrix.
    complaint = complaint_in(state)
    expected = sorted(a for a in ACTIONS if (state, a) in EXPECTED_TARGET)
    assert sorted(workflow.actions_for_role(complaint.status, "manager")) == expected
