"""What the lifecycle tests expect, written from API.md (not read from workflow.py), and probes
that tell whether anything was written.

The expectations are spelled out here on purpose: if the transition table or the role sets
drift from the contract, the tests fail instead of following the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kesu.accounts.models import User
from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent, MonthlyCounter
from kesu.complaints.services.transitions import complaint_transition
from kesu.customers.models import Customer
from kesu.notifications.models import OutboxMessage
from kesu.resolution.investigations import investigation_record, parse_investigation
from kesu.resolution.models import Callback, Remedy, Solution

STATES: tuple[str, ...] = (
    "registered",
    "acknowledged",
    "assigned",
    "investigating",
    "solution_proposed",
    "implementing",
    "resolved",
    "closed",
    "withdrawn",
    "merged",
    "invalid",
)
TERMINAL_STATES: tuple[str, ...] = ("closed", "withdrawn", "merged", "invalid")
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in TERMINAL_STATES)
ACTIONS: tuple[str, ...] = (
    "acknowledge",
    "assign",
    "start_investigation",
    "propose_solution",
    "approve",
    "reject_approval",
    "customer_accept",
    "customer_reject",
    "resolve",
    "record_callback",
    "close",
    "reopen",
    "escalate",
    "withdraw",
    "merge",
    "rule_invalid",
)
ROLES: tuple[str, ...] = ("admin", "agent", "supervisor", "manager", "handler", "gm", "auditor")

# (state, action) → the state after the action. Every pair not listed must be refused (409).
EXPECTED_TARGET: dict[tuple[str, str], str] = {
    # the main line
    ("registered", "acknowledge"): "acknowledged",
    ("acknowledged", "assign"): "assigned",
    ("assigned", "assign"): "assigned",  # re-dispatch
    ("investigating", "assign"): "assigned",  # handed to another department
    ("assigned", "start_investigation"): "investigating",
    ("investigating", "propose_solution"): "solution_proposed",
    ("solution_proposed", "propose_solution"): "solution_proposed",  # a new round
    ("solution_proposed", "approve"): "solution_proposed",
    ("solution_proposed", "reject_approval"): "investigating",
    ("solution_proposed", "customer_accept"): "implementing",
    ("solution_proposed", "customer_reject"): "investigating",
    ("implementing", "resolve"): "resolved",
    ("resolved", "record_callback"): "resolved",  # satisfied; unsatisfied goes back to investigating
    ("resolved", "close"): "closed",
    # reopen from resolved or closed
    ("resolved", "reopen"): "investigating",
    ("closed", "reopen"): "investigating",
    # allowed in every open state
    **{(state, "escalate"): state for state in OPEN_STATES},
    **{(state, "withdraw"): "withdrawn" for state in OPEN_STATES},
    **{(state, "merge"): "merged" for state in OPEN_STATES},
    **{(state, "rule_invalid"): "invalid" for state in OPEN_STATES},
}
ALLOWED_CELLS = sorted(EXPECTED_TARGET)
REFUSED_CELLS = sorted((s, a) for s in STATES for a in ACTIONS if (s, a) not in EXPECTED_TARGET)

STAFF = frozenset(ROLES) - {"auditor"}
FRONT_DESK = STAFF - {"handler"}
SUPERVISORS = frozenset({"admin", "supervisor", "manager", "gm"})
MANAGERS = frozenset({"admin", "manager", "gm"})
APPROVERS = SUPERVISORS | {"agent"}

# Who may take each action (the auditor never may).
MAY_TAKE: dict[str, frozenset[str]] = {
    "acknowledge": FRONT_DESK,
    "assign": SUPERVISORS,
    "start_investigation": STAFF,
    "propose_solution": STAFF,
    "approve": APPROVERS,
    "reject_approval": APPROVERS,
    "customer_accept": STAFF,
    "customer_reject": STAFF,
    "resolve": STAFF,
    "record_callback": FRONT_DESK,
    "close": MANAGERS,
    "reopen": SUPERVISORS,
    "escalate": STAFF,
    "withdraw": FRONT_DESK,
    "merge": SUPERVISORS,
    "rule_invalid": SUPERVISORS,
}
REFUSED_ROLES = sorted((action, role) for action in ACTIONS for role in ROLES if role not in MAY_TAKE[action])

# A role permitted for the action, for the standard test complaint (quality, handled by `handler`).
ACTOR: dict[str, str] = {
    "acknowledge": "agent",
    "assign": "supervisor",
    "start_investigation": "handler",
    "propose_solution": "handler",
    "approve": "supervisor",
    "reject_approval": "supervisor",
    "customer_accept": "agent",
    "customer_reject": "agent",
    "resolve": "handler",
    "record_callback": "agent",
    "close": "manager",
    "reopen": "supervisor",
    "escalate": "handler",
    "withdraw": "agent",
    "merge": "supervisor",
    "rule_invalid": "supervisor",
}

# A state in which each action is legal.
LEGAL_STATE: dict[str, str] = {
    "acknowledge": "registered",
    "assign": "acknowledged",
    "start_investigation": "assigned",
    "propose_solution": "investigating",
    "approve": "solution_proposed",
    "reject_approval": "solution_proposed",
    "customer_accept": "solution_proposed",
    "customer_reject": "solution_proposed",
    "resolve": "implementing",
    "record_callback": "resolved",
    "close": "resolved",
    "reopen": "closed",
    "escalate": "investigating",
    "withdraw": "investigating",
    "merge": "investigating",
    "rule_invalid": "investigating",
}


def valid_payload(action: str, *, into: str = "") -> dict[str, Any]:
    """A complete, well-formed body for the action."""
    params: dict[str, dict[str, Any]] = {
        "assign": {"department": "quality", "assignee": "handler"},
        "propose_solution": {"remedies": [{"type": "refund", "amount": "50.00"}]},
        "reject_approval": {"reason": "金额超出标准"},
        "customer_reject": {"reason": "顾客要求全额赔偿"},
        "resolve": {"result": "已退款 50 元。"},
        "record_callback": {"reached": True, "satisfied": True, "score": 5},
        "reopen": {"reason": "顾客再次来电"},
        "escalate": {"reason": "顾客要求见经理"},
        "merge": {"into": into},
        "rule_invalid": {"reason": "untrue"},
    }
    return {"action": action, **params.get(action, {})}


def act(users: dict[str, User], who: str, complaint: Complaint, action: str, now: Any, **params: Any) -> Complaint:
    """Take an action through the real service."""
    return complaint_transition(
        actor=users[who], number=complaint.number, action=action, payload={"action": action, **params}, now=now
    )


# What the investigation must hold before a solution can be proposed (root cause, responsibility).
INVESTIGATION: dict[str, Any] = {"root_cause": "批次 L20261101 冷链断链，牛奶变质。", "responsibility": "carrier"}


def investigate(users: dict[str, User], who: str, complaint: Complaint, now: Any, **fields: Any) -> None:
    """Record the investigation's root cause and responsibility through the real service."""
    investigation_record(
        actor=users[who], number=complaint.number, values=parse_investigation({**INVESTIGATION, **fields}), now=now
    )


def ready(
    *,
    complaint_in: Callable[[str], Complaint],
    register: Callable[..., Complaint],
    users: dict[str, User],
    now: Any,
    state: str,
    action: str,
) -> tuple[Complaint, dict[str, Any]]:
    """A complaint in `state` with the action's preconditions met, and a valid body for it.

    Preconditions are the guards' business (approval before the customer's answer, a
    satisfied callback before closing), not the state's."""
    complaint = complaint_in(state)
    if state == "solution_proposed" and action in ("customer_accept", "customer_reject"):
        act(users, "supervisor", complaint, "approve", now)
    if state == "resolved" and action == "close":
        act(users, "agent", complaint, "record_callback", now, reached=True, satisfied=True)
    into = register().number if action == "merge" else ""
    complaint.refresh_from_db()
    return complaint, valid_payload(action, into=into)


def snapshot() -> dict[str, Any]:
    """Everything a lifecycle action could write."""
    return {
        "complaints": list(Complaint.objects.order_by("id").values()),
        "events": list(ComplaintEvent.objects.order_by("id").values_list("id", flat=True)),
        "audit": list(AuditRecord.objects.order_by("id").values_list("id", flat=True)),
        "outbox": list(OutboxMessage.objects.order_by("id").values_list("id", flat=True)),
        "solutions": list(Solution.objects.order_by("id").values()),
        "remedies": list(Remedy.objects.order_by("id").values_list("id", flat=True)),
        "callbacks": list(Callback.objects.order_by("id").values_list("id", flat=True)),
        "customers": list(Customer.objects.order_by("id").values_list("id", flat=True)),
        "counters": list(MonthlyCounter.objects.order_by("period").values_list("period", "last_value")),
    }


def events_of(complaint: Complaint) -> list[ComplaintEvent]:
    return list(ComplaintEvent.objects.filter(complaint=complaint).order_by("id"))


def audit_of(complaint: Complaint) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(object_type="complaint", object_id=complaint.number).order_by("id"))
