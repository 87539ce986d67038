"""Moving a complaint through its lifecycle: one service, one transaction per action.

`complaint_transition` looks the move up in the transition table, checks the role and the
guard, parses the action's parameters, applies the action's effects, and writes the
timeline event and the audit record with the change. Refusals write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import workflow
from kesu.complaints.actions import EFFECTS as EFFECTS
from kesu.complaints.actions import PARSERS as PARSERS
from kesu.complaints.actions import PUBLIC_ACTIONS as PUBLIC_ACTIONS
from kesu.complaints.actions import SPECS, ActionSpec
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.complaints.search import complaint_reindex
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.services.action_params import INVALID_REASONS as INVALID_REASONS
from kesu.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed

# The DP-4 ladder is shared with the deadline sweep (kesu/deadlines/escalation.py).
from kesu.deadlines.escalation import ESCALATION_LADDER, MAX_ESCALATION_LEVEL  # noqa: F401
from kesu.deadlines.services import deadlines_after_transition

Params = dict[str, Any]


class EventSink(Protocol):
    """Where a batched caller (the deadline sweep) collects the events it writes in bulk."""

    def event(
        self,
        complaint: Complaint,
        kind: str,
        data: dict[str, Any],
        note: str = "",
        from_status: str = "",
        to_status: str = "",
    ) -> None: ...


def complaint_transition(
    *, actor: User, number: str, action: str, payload: Mapping[str, Any], now: dt.datetime
) -> Complaint:
    if action not in workflow.ALL_ACTIONS:
        raise ValidationFailed(
            [FieldError("action", _("Unknown action: %(action)s.") % {"action": str(action)[:40]}, "invalid_choice")]
        )
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        rule = workflow.find(complaint.status, action)
        if rule is None:
            raise Conflict(
                _("“%(action)s” is not allowed while the complaint is %(status)s.")
                % {"action": action, "status": complaint.get_status_display()},
                code="invalid_transition",
            )
        if actor.role not in rule.roles:
            raise PermissionDenied(_("Your role may not take this action."))
        if rule.ownership is not None:
            reason = rule.ownership(complaint, actor)
            if reason:
                raise PermissionDenied(reason, code="not_own_work")
        params = PARSERS[action](payload, actor)
        apply_transition(complaint=complaint, rule=rule, actor=actor, params=params, now=now)
    return complaint


def apply_transition(
    *,
    complaint: Complaint,
    rule: workflow.Transition,
    actor: User | None,
    params: Params,
    now: dt.datetime,
    event_extra: dict[str, Any] | None = None,
    sink: EventSink | None = None,
) -> None:
    """The move itself, once who may take it is settled: guard, effects, status, timeline event and
    audit record, deadlines. Call inside a transaction with the complaint locked. `actor` is None
    when the customer acts on the public side or the system acts. The only place that writes a
    complaint's status (tests/complaints/test_action_spec.py checks it).

    With a `sink` (a batched caller such as the deadline sweep) the complaint is not saved and the
    event goes to the sink: the caller writes complaints, events and audit records in bulk, and
    settles the clocks itself."""
    spec = SPECS[rule.action]
    if rule.guard is not None:
        reason = rule.guard(complaint, actor, params)
        if reason:
            raise Conflict(reason, code="guard")
    from_status = complaint.status
    result_before = complaint.result
    target = rule.next_status(complaint, params)
    event_data = spec.effect(complaint, actor, params, now)  # type: ignore[arg-type]
    complaint.status = target
    complaint.updated_at = now
    note = str(params.get("note") or params.get("reason") or params.get("result") or "")
    data = {**event_data, **(event_extra or {})}
    if sink is not None:
        sink.event(complaint, spec.action.value, data, note=note, from_status=from_status, to_status=target)
        return
    complaint.save()
    if complaint.result != result_before:
        complaint_reindex(complaint)  # the result is searchable
    record_event(
        complaint=complaint,
        kind=spec.action.value,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=target,
        note=note,
        data=data,
        internal=_internal(spec, data),
    )
    if spec.deadline != workflow.DeadlineEffect.NONE:
        deadlines_after_transition(complaint=complaint, effect=spec.deadline, actor=actor, now=now)


def _internal(spec: ActionSpec, event_data: Mapping[str, Any]) -> bool:
    """Whether the customer's timeline leaves the event out: a solution still waiting for approval
    has not reached the customer (its approval then does, as the solution offered)."""
    if spec.action == workflow.Action.PROPOSE_SOLUTION:
        return event_data.get("status") == "pending_approval"
    return not spec.public
