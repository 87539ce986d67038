"""One declaration per lifecycle action, beside the transition table (workflow.py): its
parameters (a typed payload spec), its parser, its effect, its deadline effect, whether the
customer may take it, and whether its timeline event is shown to the customer.

The service (services/transitions.py), the public side (services/public.py), the API schema
(kesu/api/schemas.py) and the labels derive from this; tests/complaints/test_action_spec.py checks
that every action here is in the table and vice versa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services import action_effects as fx
from kesu.complaints.services import action_params as pp
from kesu.complaints.workflow import SYSTEM_ACTIONS, Action, DeadlineEffect

Params = dict[str, Any]
Parser = Callable[[Mapping[str, Any], User], Params]
Effect = Callable[[Complaint, User, Params, dt.datetime], dict[str, Any]]


# --- the payloads (what a caller sends; every key optional on the wire, the parser says what is required)


class NotePayload(TypedDict, total=False):
    note: str


class ReasonPayload(TypedDict, total=False):
    reason: str


class AssignPayload(TypedDict, total=False):
    department: str
    assignee: str
    note: str


class ProposePayload(TypedDict, total=False):
    remedies: list[dict[str, Any]]
    alternatives: list[dict[str, Any]]
    description: str
    internal_note: str
    responsible: str  # RS-2: a username; default the proposer
    due_date: str  # RS-2: YYYY-MM-DD; default the closing deadline


class AcceptPayload(TypedDict, total=False):
    note: str
    alternative: int


class ResolvePayload(TypedDict, total=False):
    result: str


class CallbackPayload(TypedDict, total=False):
    reached: bool
    satisfied: bool
    score: int
    comment: str
    method: str


class MergePayload(TypedDict, total=False):
    into: str
    note: str


class InvalidPayload(TypedDict, total=False):
    reason: str
    note: str


class SettlementPayload(TypedDict, total=False):
    kind: str
    result: str
    customer_answer: str


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    payload: type[Any]  # a TypedDict
    effect: Effect
    parse: Parser | None = None  # None: a system action, its service hands over the params
    deadline: DeadlineEffect = DeadlineEffect.SETTLE
    customer: bool = False  # the customer may take it on the public side (RS-3)
    public: bool = False  # its timeline event is shown to the customer

    @property
    def system(self) -> bool:
        return self.action in SYSTEM_ACTIONS

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.payload.__annotations__)


A, D = Action, DeadlineEffect

SPECS: dict[str, ActionSpec] = {
    spec.action.value: spec
    for spec in (
        ActionSpec(A.ACKNOWLEDGE, NotePayload, fx._acknowledge, pp._note_only, public=True),
        ActionSpec(A.ASSIGN, AssignPayload, fx._assign, pp._parse_assign),
        ActionSpec(A.START_INVESTIGATION, NotePayload, fx._start_investigation, pp._note_only),
        ActionSpec(A.PROPOSE_SOLUTION, ProposePayload, fx._propose, pp._parse_propose, public=True),
        ActionSpec(A.APPROVE, NotePayload, fx._approve, pp._note_only, public=True),
        ActionSpec(A.REJECT_APPROVAL, ReasonPayload, fx._reject_approval, pp._reason_required),
        ActionSpec(A.CUSTOMER_ACCEPT, AcceptPayload, fx._customer_accept, pp._parse_accept, customer=True, public=True),
        ActionSpec(
            A.CUSTOMER_REJECT, ReasonPayload, fx._customer_reject, pp._reason_required, customer=True, public=True
        ),
        ActionSpec(A.RESOLVE, ResolvePayload, fx._resolve, pp._parse_resolve, public=True),
        ActionSpec(A.RECORD_CALLBACK, CallbackPayload, fx._callback, pp._parse_callback, D.CALLBACK),
        ActionSpec(A.CLOSE, NotePayload, fx._close, pp._note_only, public=True),
        ActionSpec(A.REOPEN, ReasonPayload, fx._reopen, pp._reason_required, D.REOPEN, public=True),
        ActionSpec(A.ESCALATE, ReasonPayload, fx._escalate, pp._reason_required),
        ActionSpec(A.WITHDRAW, ReasonPayload, fx._withdraw, pp._parse_withdraw, public=True),
        ActionSpec(A.MERGE, MergePayload, fx._merge, pp._parse_merge),
        ActionSpec(A.RULE_INVALID, InvalidPayload, fx._rule_invalid, pp._parse_invalid),
        # system transitions
        ActionSpec(A.RESOLVED_CONTACT, SettlementPayload, fx._settle_at_intake, deadline=D.NONE, public=True),
        ActionSpec(A.ON_THE_SPOT, SettlementPayload, fx._settle_at_intake, deadline=D.NONE, public=True),
        ActionSpec(A.AUTO_CLOSE_UNREACHABLE, NotePayload, fx._auto_close, deadline=D.BY_CALLER),
    )
}

PARSERS: dict[str, Parser] = {name: spec.parse for name, spec in SPECS.items() if spec.parse is not None}
EFFECTS: dict[str, Effect] = {name: spec.effect for name, spec in SPECS.items()}
PUBLIC_ACTIONS = frozenset(name for name, spec in SPECS.items() if spec.public and not spec.system)
CUSTOMER_ACTIONS = frozenset(name for name, spec in SPECS.items() if spec.customer)
# Every key a caller may send with some action (the API's TransitionIn declares exactly these).
PAYLOAD_FIELDS = frozenset(f for spec in SPECS.values() if not spec.system for f in spec.fields)


def spec(action: str) -> ActionSpec:
    return SPECS[action]
