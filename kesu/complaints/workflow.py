"""The complaint lifecycle as one declarative table: (state, action) → next state, who, guard.

Services look transitions up here; the API and the UI list only what the table allows.
Who may act is the roles plus, for some actions, an ownership check (refused with 403);
guards say whether the complaint is ready for the action (refused with 409). Both answer
*why not* (a message) or None; they never write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Role
from kesu.accounts.permissions import FRONT_DESK, MANAGERS, STAFF_ROLES, SUPERVISORS
from kesu.complaints.models import OPEN_STATUSES, Complaint, Status

S = Status
Guard = Callable[[Complaint, Any, Mapping[str, Any]], str | None]
Ownership = Callable[[Complaint, Any], str | None]
Target = Status | Callable[[Complaint, Mapping[str, Any]], Status]


class Action(models.TextChoices):
    """Every lifecycle action. The first sixteen are taken by people (API.md); the system ones
    (settling at intake, closing for an unreachable customer) are taken by services, never asked
    for by a caller. Each value is also the kind of the timeline event the action writes."""

    ACKNOWLEDGE = "acknowledge", gettext_lazy("Acknowledge")
    ASSIGN = "assign", gettext_lazy("Assign")
    START_INVESTIGATION = "start_investigation", gettext_lazy("Start investigation")
    PROPOSE_SOLUTION = "propose_solution", gettext_lazy("Propose a solution")
    APPROVE = "approve", gettext_lazy("Approve the solution")
    REJECT_APPROVAL = "reject_approval", gettext_lazy("Refuse approval")
    CUSTOMER_ACCEPT = "customer_accept", gettext_lazy("Customer accepts")
    CUSTOMER_REJECT = "customer_reject", gettext_lazy("Customer rejects")
    RESOLVE = "resolve", gettext_lazy("Mark resolved")
    RECORD_CALLBACK = "record_callback", gettext_lazy("Record the callback")
    CLOSE = "close", gettext_lazy("Close")
    REOPEN = "reopen", gettext_lazy("Reopen")
    ESCALATE = "escalate", gettext_lazy("Escalate")
    WITHDRAW = "withdraw", gettext_lazy("Withdrawn by the customer")
    MERGE = "merge", gettext_lazy("Merge into another complaint")
    RULE_INVALID = "rule_invalid", gettext_lazy("Rule invalid")
    # system transitions
    RESOLVED_CONTACT = "resolved_contact", gettext_lazy("Resolved contact")
    ON_THE_SPOT = "on_the_spot", gettext_lazy("Settled on the spot")
    AUTO_CLOSE_UNREACHABLE = "auto_closed_unreachable", gettext_lazy("Closed automatically: customer unreachable")


SYSTEM_ACTIONS: tuple[str, ...] = (Action.RESOLVED_CONTACT, Action.ON_THE_SPOT, Action.AUTO_CLOSE_UNREACHABLE)
# What people may ask for (the API's `action`, the workspace's buttons), in the contract's order.
ALL_ACTIONS: tuple[str, ...] = tuple(a.value for a in Action if a not in SYSTEM_ACTIONS)
# No role takes a system transition: services take it (complaint_transition refuses it as unknown).
SYSTEM: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Target
    roles: frozenset[str]
    guard: Guard | None = None
    ownership: Ownership | None = None

    def next_status(self, complaint: Complaint, params: Mapping[str, Any]) -> Status:
        return self.target(complaint, params) if callable(self.target) else self.target


# --- ownership and guards ----------------------------------------------------------------


def own_work_reason(complaint: Complaint, user: Any) -> str | None:
    """Agents and handlers act on complaints assigned to them or, unassigned, to their department."""
    if user.role not in (Role.HANDLER, Role.AGENT) or complaint.assignee_id == user.pk:
        return None
    if complaint.department_id != user.department_id:
        return _("This complaint belongs to another department.")
    if complaint.assignee_id is not None and user.role == Role.HANDLER:
        return _("This complaint is assigned to someone else.")
    return None


def _solution_approved(complaint: Complaint, user: Any, params: Mapping[str, Any]) -> str | None:
    from kesu.resolution.models import SolutionStatus
    from kesu.resolution.selectors import current_solution

    solution = current_solution(complaint)
    if solution is None:
        return _("No solution has been proposed.")
    if solution.status == SolutionStatus.PENDING_APPROVAL:
        return _("The solution has not been approved yet; it cannot be offered to the customer.")
    if solution.status != SolutionStatus.APPROVED:
        return _("The current solution is not open for the customer's answer.")
    return None


def _investigation_recorded(complaint: Complaint, user: Any, params: Mapping[str, Any]) -> str | None:
    from kesu.resolution.investigations import investigation_missing

    return investigation_missing(complaint)


def _no_open_department_task(complaint: Complaint, user: Any, params: Mapping[str, Any]) -> str | None:
    from kesu.resolution.coordination import open_tasks_reason

    return open_tasks_reason(complaint)


def _solution_pending(complaint: Complaint, user: Any, params: Mapping[str, Any]) -> str | None:
    from kesu.resolution.models import SolutionStatus
    from kesu.resolution.selectors import current_solution

    solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.PENDING_APPROVAL:
        return _("No solution is waiting for approval.")
    return None


def _customer_satisfied(complaint: Complaint, user: Any, params: Mapping[str, Any]) -> str | None:
    from kesu.resolution.selectors import last_reached_callback

    # Only a callback since the latest resolution counts: a reopened complaint is asked again.
    callback = last_reached_callback(complaint, since=complaint.resolved_at)
    if callback is None:
        return _("The customer has not been reached for the satisfaction callback yet.")
    if not callback.satisfied:
        return _("The customer is not satisfied; the complaint cannot be closed.")
    return None


def _callback_target(complaint: Complaint, params: Mapping[str, Any]) -> Status:
    if params.get("reached") and params.get("satisfied") is False:
        return S.INVESTIGATING  # FU-1: handled again until the customer is satisfied
    return S.RESOLVED


def _same(complaint: Complaint, params: Mapping[str, Any]) -> Status:
    return Status(complaint.status)


# --- the table ----------------------------------------------------------------------------

ALL_STAFF = frozenset(STAFF_ROLES)
APPROVERS = frozenset({Role.AGENT, *SUPERVISORS})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.REGISTERED, Action.ACKNOWLEDGE, S.ACKNOWLEDGED, FRONT_DESK),
    Transition(S.ACKNOWLEDGED, Action.ASSIGN, S.ASSIGNED, SUPERVISORS),
    Transition(S.ASSIGNED, Action.ASSIGN, S.ASSIGNED, SUPERVISORS),
    Transition(S.INVESTIGATING, Action.ASSIGN, S.ASSIGNED, SUPERVISORS),
    Transition(S.ASSIGNED, Action.START_INVESTIGATION, S.INVESTIGATING, ALL_STAFF, ownership=own_work_reason),
    Transition(
        S.INVESTIGATING,
        Action.PROPOSE_SOLUTION,
        S.SOLUTION_PROPOSED,
        ALL_STAFF,
        _investigation_recorded,
        ownership=own_work_reason,
    ),
    Transition(
        S.SOLUTION_PROPOSED,
        Action.PROPOSE_SOLUTION,
        S.SOLUTION_PROPOSED,
        ALL_STAFF,
        _investigation_recorded,
        ownership=own_work_reason,
    ),
    Transition(S.SOLUTION_PROPOSED, Action.APPROVE, S.SOLUTION_PROPOSED, APPROVERS, _solution_pending),
    Transition(S.SOLUTION_PROPOSED, Action.REJECT_APPROVAL, S.INVESTIGATING, APPROVERS, _solution_pending),
    Transition(
        S.SOLUTION_PROPOSED, Action.CUSTOMER_ACCEPT, S.IMPLEMENTING, FRONT_DESK | {Role.HANDLER}, _solution_approved
    ),
    Transition(
        S.SOLUTION_PROPOSED, Action.CUSTOMER_REJECT, S.INVESTIGATING, FRONT_DESK | {Role.HANDLER}, _solution_approved
    ),
    Transition(
        S.IMPLEMENTING, Action.RESOLVE, S.RESOLVED, ALL_STAFF, _no_open_department_task, ownership=own_work_reason
    ),
    Transition(S.RESOLVED, Action.RECORD_CALLBACK, _callback_target, FRONT_DESK),
    Transition(S.RESOLVED, Action.CLOSE, S.CLOSED, MANAGERS, _customer_satisfied),
    Transition(S.RESOLVED, Action.REOPEN, S.INVESTIGATING, SUPERVISORS),
    Transition(S.CLOSED, Action.REOPEN, S.INVESTIGATING, SUPERVISORS),
    *(Transition(state, Action.ESCALATE, _same, ALL_STAFF) for state in Status if state in OPEN_STATUSES),
    *(Transition(state, Action.WITHDRAW, S.WITHDRAWN, FRONT_DESK) for state in Status if state in OPEN_STATUSES),
    *(Transition(state, Action.MERGE, S.MERGED, SUPERVISORS) for state in Status if state in OPEN_STATUSES),
    *(Transition(state, Action.RULE_INVALID, S.INVALID, SUPERVISORS) for state in Status if state in OPEN_STATUSES),
    # system transitions: IN-7 / IN-8 settled at intake; FU-2 closed when the customer stayed unreachable
    # (the satisfaction guard of `close` waived, which is what FU-2 allows)
    Transition(S.REGISTERED, Action.RESOLVED_CONTACT, S.CLOSED, SYSTEM),
    Transition(S.REGISTERED, Action.ON_THE_SPOT, S.CLOSED, SYSTEM),
    Transition(S.RESOLVED, Action.AUTO_CLOSE_UNREACHABLE, S.CLOSED, SYSTEM),
)

_INDEX: dict[tuple[str, str], Transition] = {(t.source.value, Action(t.action).value): t for t in TRANSITIONS}
assert len(_INDEX) == len(TRANSITIONS), "duplicate (state, action) in the transition table"


def find(status: str, action: str) -> Transition | None:
    return _INDEX.get((status, action))


def actions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def available_actions(complaint: Complaint, user: Any) -> list[str]:
    """What `user` may do now: allowed in this state, for this role and owner, and guard passing."""
    result = []
    for transition in actions_from(complaint.status):
        if user.role not in transition.roles:
            continue
        if transition.ownership is not None and transition.ownership(complaint, user) is not None:
            continue
        if transition.guard is not None and transition.guard(complaint, user, {}) is not None:
            continue
        result.append(Action(transition.action).value)
    return result


def actions_for_role(status: str, role: str) -> list[str]:
    """Actions the table allows a role in a state, guards not evaluated (cheap, for lists)."""
    return [Action(t.action).value for t in actions_from(status) if role in t.roles]


class DeadlineEffect(StrEnum):
    """What an action does to the complaint's clocks (kesu/deadlines/services.py); not shown to users."""

    SETTLE = "settle"  # record met deadlines; cancel the clocks of an ended complaint
    CALLBACK = "callback"  # as settle; an unreachable customer starts the FU-2 wait
    REOPEN = "reopen"  # reopen the closing clock, then settle
    NONE = "none"  # nothing: the clocks open after it (settling at intake)
    BY_CALLER = "by_caller"  # settled in bulk by the caller (the deadline sweep)
