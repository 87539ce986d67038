"""Moving a complaint through its lifecycle: one service, one transaction per action.

`complaint_transition` looks the move up in the transition table, checks the role and the
guard, parses the action's parameters, applies the action's effects, and writes the
timeline event and the audit record with the change. Refusals write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.accounts.permissions import STAFF_ROLES
from kesu.complaints import workflow
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.deadlines import escalation

# The DP-4 ladder is shared with the deadline sweep (kesu/deadlines/escalation.py).
from kesu.deadlines.escalation import ESCALATION_LADDER, MAX_ESCALATION_LEVEL  # noqa: F401
from kesu.deadlines.services import deadlines_after_transition
from kesu.notifications.services import notify_users
from kesu.resolution import services as resolution
from kesu.resolution.models import ContactMethod, RemedyType, SolutionStatus

INVALID_REASONS = (
    "excessive_demand", "harassment", "untrue", "system_fault", "knowledge_base", "branch_error",
    "recording_unavailable",
)
Params = dict[str, Any]
Effect = Callable[[Complaint, User, Params, dt.datetime], dict[str, Any]]


def complaint_transition(*, actor: User, number: str, action: str, payload: Mapping[str, Any],
                         now: dt.datetime) -> Complaint:
    if action not in workflow.ALL_ACTIONS:
        raise ValidationFailed([FieldError("action", _("Unknown action: %(action)s.") % {"action": str(action)[:40]},
                                           "invalid_choice")])
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))
    with transaction.atomic():
        complaint = (
            visible_complaints(actor).select_for_update(of=("self",)).filter(number=number).first()
        )
        if complaint is None:
            raise NotFound(_("No complaint has this number."))
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


def apply_transition(*, complaint: Complaint, rule: workflow.Transition, actor: User | None, params: Params,
                     now: dt.datetime, event_extra: dict[str, Any] | None = None) -> None:
    """The move itself, once who may take it is settled: guard, effects, status, timeline event and
    audit record, deadlines. Call inside a transaction with the complaint locked. `actor` is None
    when the customer acts on the public side."""
    if rule.guard is not None:
        reason = rule.guard(complaint, actor, params)
        if reason:
            raise Conflict(reason, code="guard")
    from_status = complaint.status
    target = rule.next_status(complaint, params)
    event_data = EFFECTS[rule.action](complaint, actor, params, now)  # type: ignore[arg-type]
    complaint.status = target
    complaint.updated_at = now
    complaint.save()
    record_event(
        complaint=complaint, kind=rule.action, actor=actor, at=now, from_status=from_status,
        to_status=target, note=str(params.get("note") or params.get("reason") or params.get("result") or ""),
        data={**event_data, **(event_extra or {})}, internal=_internal(rule.action, event_data),
    )
    deadlines_after_transition(complaint=complaint, action=rule.action, actor=actor, now=now)


PUBLIC_ACTIONS = frozenset({"acknowledge", "propose_solution", "approve", "customer_accept", "customer_reject",
                            "resolve", "close", "reopen", "withdraw"})


def _internal(action: str, event_data: Mapping[str, Any]) -> bool:
    """Whether the customer's timeline leaves the event out: a solution still waiting for approval
    has not reached the customer (its approval then does, as the solution offered)."""
    if action == "propose_solution":
        return event_data.get("status") == "pending_approval"
    return action not in PUBLIC_ACTIONS


# --- parameter parsers: payload → params, or ValidationFailed naming the field ------------

def _note_only(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"note": note}


def _reason_required(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=2000, required=True)
    c.raise_if_any()
    return {"reason": reason}


def _parse_assign(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    department_ref = c.text(payload, "department", "department", max_length=80)
    assignee_ref = c.text(payload, "assignee", "assignee", max_length=150)
    note = c.text(payload, "note", "note", max_length=2000)
    department = assignee = None
    if department_ref:
        department = Department.objects.filter(code=department_ref).first() or Department.objects.filter(
            name=department_ref).first()
        if department is None:
            c.add("department", _("Unknown department: %(ref)s.") % {"ref": department_ref}, "not_found")
    if assignee_ref:
        assignee = User.objects.filter(username=assignee_ref, is_active=True).first()
        if assignee is None:
            c.add("assignee", _("Unknown user: %(ref)s.") % {"ref": assignee_ref}, "not_found")
        elif assignee.role == Role.AUDITOR:
            c.add("assignee", _("An auditor cannot handle complaints."), "invalid")
        elif department is not None and assignee.department_id != department.pk:
            c.add("assignee", _("%(user)s is not in %(department)s.")
                  % {"user": assignee.username, "department": department.name}, "wrong_department")
    if not department_ref and not assignee_ref:
        c.add("department", _("Give a department, an assignee or both."), "required")
    c.raise_if_any()
    if department is None and assignee is not None:
        department = assignee.department
    return {"department": department, "assignee": assignee, "note": note}


def _parse_remedies(c: Collector, remedies_raw: Any, field: str, alternative: int,
                    remedies: list[dict[str, Any]]) -> None:
    if not isinstance(remedies_raw, list) or not remedies_raw:
        c.add(field, _("Give at least one remedy with its type and amount."), "required")
        return
    if len(remedies_raw) > 20:
        c.add(field, _("Give at most 20 remedies."), "too_many")
    for index, item in enumerate(remedies_raw[:20]):
        if not isinstance(item, Mapping):
            c.add(f"{field}[{index}]", _("Send each remedy as an object with type and amount."), "type")
            continue
        kind = c.choice(item, "type", f"{field}[{index}].type", RemedyType, required=True)
        amount = c.amount(item, "amount", f"{field}[{index}].amount")
        note = c.text(item, "note", f"{field}[{index}].note", max_length=200)
        if item.get("amount") in (None, ""):
            c.add(f"{field}[{index}].amount", _("This field is required."), "required")
        if kind and amount is not None:
            remedies.append({"type": kind, "amount": amount, "note": note, "alternative": alternative})


def _parse_propose(payload: Mapping[str, Any], actor: User) -> Params:
    """`remedies` (one offer) or `alternatives`: [{"remedies": [...]}, …] (RS-3: several offers in one
    round, the customer accepts one)."""
    c = Collector()
    remedies: list[dict[str, Any]] = []
    alternatives_raw = payload.get("alternatives")
    if alternatives_raw not in (None, []):
        if payload.get("remedies") not in (None, []):
            c.add("alternatives", _("Give either remedies or alternatives, not both."), "conflict")
        elif not isinstance(alternatives_raw, list):
            c.add("alternatives", _("Send the alternatives as a list of objects with their remedies."), "type")
        elif len(alternatives_raw) > 5:
            c.add("alternatives", _("Offer at most 5 alternatives."), "too_many")
        else:
            for number, alternative in enumerate(alternatives_raw, start=1):
                field = f"alternatives[{number - 1}].remedies"
                if not isinstance(alternative, Mapping):
                    c.add(f"alternatives[{number - 1}]", _("Send each alternative as an object with its remedies."),
                          "type")
                    continue
                _parse_remedies(c, alternative.get("remedies"), field, number, remedies)
    else:
        _parse_remedies(c, payload.get("remedies"), "remedies", 1, remedies)
    description = c.text(payload, "description", "description", max_length=4000)
    internal_note = c.text(payload, "internal_note", "internal_note", max_length=4000)
    c.raise_if_any()
    return {"remedies": remedies, "description": description, "internal_note": internal_note, "note": description}


def _parse_accept(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    note = c.text(payload, "note", "note", max_length=2000)
    alternative = payload.get("alternative")
    if alternative in (None, ""):
        alternative = None
    elif isinstance(alternative, bool) or not isinstance(alternative, int) or not 1 <= alternative <= 5:
        c.add("alternative", _("Choose an alternative from 1 to %(count)d.") % {"count": 5}, "invalid_choice")
    c.raise_if_any()
    return {"note": note, "alternative": alternative}


def _parse_resolve(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    result = c.text(payload, "result", "result", max_length=4000, required=True)
    c.raise_if_any()
    return {"result": result}


def _parse_callback(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reached = payload.get("reached")
    satisfied = payload.get("satisfied")
    if not isinstance(reached, bool):
        c.add("reached", _("Say whether the customer was reached (true or false)."), "required")
    elif reached and not isinstance(satisfied, bool):
        c.add("satisfied", _("Say whether the customer is satisfied (true or false)."), "required")
    score = payload.get("score")
    if score not in (None, "") and (isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5):
        c.add("score", _("Give a score from 1 to 5."), "invalid")
        score = None
    comment = c.text(payload, "comment", "comment", max_length=2000)
    method = c.choice(payload, "method", "method", ContactMethod, default=ContactMethod.PHONE)
    c.raise_if_any()
    return {"reached": reached, "satisfied": satisfied if reached else None, "score": score or None,
            "comment": comment, "note": comment, "method": method}


def _parse_merge(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    into = c.text(payload, "into", "into", max_length=40, required=True)
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"into": into, "note": note}


def _parse_invalid(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = payload.get("reason")
    if reason in (None, ""):
        c.add("reason", _("Give the reason for ruling the complaint invalid."), "required")
    elif reason not in INVALID_REASONS:
        c.add("reason", _("Choose one of: %(choices)s.") % {"choices": ", ".join(INVALID_REASONS)},
              "invalid_choice")
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    return {"reason": reason, "note": note}


def _parse_withdraw(payload: Mapping[str, Any], actor: User) -> Params:
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=2000)
    c.raise_if_any()
    return {"reason": reason}


PARSERS: dict[str, Callable[[Mapping[str, Any], User], Params]] = {
    "acknowledge": _note_only,
    "assign": _parse_assign,
    "start_investigation": _note_only,
    "propose_solution": _parse_propose,
    "approve": _note_only,
    "reject_approval": _reason_required,
    "customer_accept": _parse_accept,
    "customer_reject": _reason_required,
    "resolve": _parse_resolve,
    "record_callback": _parse_callback,
    "close": _note_only,
    "reopen": _reason_required,
    "escalate": _reason_required,
    "withdraw": _parse_withdraw,
    "merge": _parse_merge,
    "rule_invalid": _parse_invalid,
}


# --- effects: what each action changes besides the status ---------------------------------

def _acknowledge(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    c.acknowledged_at = now
    from kesu.notifications.letters import send_acknowledgement

    send_acknowledgement(complaint=c, now=now)
    return {}


def _assign(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    previous = {"department": c.department.code if c.department else None,
                "assignee": c.assignee.username if c.assignee else None}
    c.department = p["department"]
    c.assignee = p["assignee"]
    if c.assignee is not None and c.assignee.pk != actor.pk:
        notify_users(users=[c.assignee], kind="assigned", now=now, complaint=c,
                     subject=_("Complaint %(number)s assigned to you") % {"number": c.number},
                     body=_("Complaint %(number)s has been assigned to you.") % {"number": c.number})
    return {"previous": previous, "department": c.department.code if c.department else None,
            "assignee": c.assignee.username if c.assignee else None}


def _nothing(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    return {}


def _propose(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_propose(complaint=c, actor=actor, remedies=p["remedies"],
                                           description=p["description"], now=now,
                                           internal_note=p.get("internal_note", ""))
    if solution.status == SolutionStatus.APPROVED:
        # Only an approved solution reaches the customer; one waiting for approval is no reply yet.
        c.replied_at = c.replied_at or now
    data = {"round": solution.round, "total": str(solution.total), "status": solution.status,
            "remedies": [{"type": r["type"], "amount": str(r["amount"])}
                         for r in p["remedies"] if r.get("alternative", 1) == 1]}
    if solution.alternatives > 1:
        data["alternatives"] = [[{"type": r["type"], "amount": str(r["amount"])}
                                 for r in p["remedies"] if r["alternative"] == number]
                                for number in range(1, solution.alternatives + 1)]
    return data


def _approve(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_approve(complaint=c, actor=actor, note=p["note"], now=now)
    c.replied_at = c.replied_at or now  # the solution now goes to the customer: the first reply
    return {"round": solution.round, "total": str(solution.total)}


def _reject_approval(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_reject_approval(complaint=c, actor=actor, note=p["reason"], now=now)
    return {"round": solution.round, "total": str(solution.total)}


def _customer_accept(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_customer_answer(complaint=c, accepted=True, note=p["note"], now=now,
                                                   alternative=p.get("alternative"))
    return {"round": solution.round, "alternative": solution.accepted_alternative}


def _customer_reject(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_customer_answer(complaint=c, accepted=False, note=p["reason"], now=now)
    return {"round": solution.round}


def _resolve(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    c.result = p["result"]
    c.resolved_at = now
    c.replied_at = c.replied_at or now
    from kesu.notifications.letters import send_result_letter

    send_result_letter(complaint=c, now=now)  # RS-4: the result in writing
    return {}


def _callback(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    resolution.callback_record(complaint=c, actor=actor, reached=p["reached"], satisfied=p["satisfied"],
                               score=p["score"], comment=p["comment"], now=now,
                               method=p.get("method") or ContactMethod.PHONE)
    data = {"reached": p["reached"], "satisfied": p["satisfied"], "score": p["score"],
            "method": p.get("method") or ContactMethod.PHONE}
    if p["reached"] and p["satisfied"] is False:
        data["escalation"] = _raise_level(c, now=now, reason=_("The customer is not satisfied."),
                                          cause="dissatisfied", actor=actor)
    return data


def _close(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    c.closed_at = now
    return {}


def _reopen(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    was_contact = c.is_resolved_contact
    c.closed_at = None
    c.is_resolved_contact = False  # IN-7: a resolved contact turns into a complaint, one way only
    return {"converted_from_resolved_contact": was_contact}


def _escalate(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    return {"escalation": _raise_level(c, now=now, reason=p["reason"], actor=actor)}


def _raise_level(c: Complaint, *, now: dt.datetime, reason: str, cause: str = "manual",
                 actor: User | None = None) -> dict[str, Any]:
    """One step up the ladder (DP-4); major complaints go straight to the GM (DP-5)."""
    return escalation.escalate(complaint=c, now=now, reason=reason, cause=cause, actor=actor)


def _withdraw(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    c.closed_at = now
    return {}


def _merge(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    if p["into"] == c.number:
        raise Conflict(_("A complaint cannot be merged into itself."), field="into")
    target = visible_complaints(actor).select_for_update(of=("self",)).filter(number=p["into"]).first()
    if target is None:
        raise ValidationFailed([FieldError("into", _("No complaint has this number."), "not_found")])
    if target.status not in {s.value for s in Status} - {"closed", "withdrawn", "merged", "invalid"}:
        raise Conflict(_("Complaint %(number)s is no longer open; merge into an open one.")
                       % {"number": target.number}, field="into")
    c.merged_into = target
    c.closed_at = now
    record_event(complaint=target, kind="merged_in", actor=actor, at=now, note=p["note"],
                 data={"from": c.number})
    return {"into": target.number}


def _rule_invalid(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    from kesu.resolution.adjudication import adjudication_invalid

    c.closed_at = now
    adjudication_invalid(complaint=c, actor=actor, reason=p["reason"], note=p["note"], now=now)
    return {"reason": p["reason"]}


EFFECTS: dict[str, Effect] = {
    "acknowledge": _acknowledge,
    "assign": _assign,
    "start_investigation": _nothing,
    "propose_solution": _propose,
    "approve": _approve,
    "reject_approval": _reject_approval,
    "customer_accept": _customer_accept,
    "customer_reject": _customer_reject,
    "resolve": _resolve,
    "record_callback": _callback,
    "close": _close,
    "reopen": _reopen,
    "escalate": _escalate,
    "withdraw": _withdraw,
    "merge": _merge,
    "rule_invalid": _rule_invalid,
}
assert set(PARSERS) == set(EFFECTS) == set(workflow.ALL_ACTIONS)
