"""The effects of the lifecycle actions: what each changes besides the status, returning the data
of its timeline event. Which effect an action has is declared once, in kesu/complaints/actions.py.
Effects run inside the action's transaction with the complaint locked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.core.clock import iso_utc
from kesu.core.errors import Conflict, FieldError, ValidationFailed
from kesu.deadlines import escalation
from kesu.notifications.services import notify_users
from kesu.resolution import services as resolution
from kesu.resolution.models import ContactMethod, SolutionStatus

Params = dict[str, Any]


def _acknowledge(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    c.acknowledged_at = now
    from kesu.notifications.letters import send_acknowledgement

    send_acknowledgement(complaint=c, now=now)
    return {}


def _assign(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    previous = {
        "department": c.department.code if c.department else None,
        "assignee": c.assignee.username if c.assignee else None,
    }
    c.department = p["department"]
    c.assignee = p["assignee"]
    if c.assignee is not None and c.assignee.pk != actor.pk:
        notify_users(
            users=[c.assignee],
            kind="assigned",
            now=now,
            complaint=c,
            subject=_("Complaint %(number)s assigned to you") % {"number": c.number},
            body=_("Complaint %(number)s has been assigned to you.") % {"number": c.number},
        )
    return {
        "previous": previous,
        "department": c.department.code if c.department else None,
        "assignee": c.assignee.username if c.assignee else None,
    }


def _start_investigation(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    from kesu.resolution.investigations import investigation_report_open

    row = investigation_report_open(complaint=c, now=now)  # IV-3
    return {"report_due": iso_utc(row.due_at)} if row is not None else {}


def _propose(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    from kesu.compensation.services import check_proposal_against_standard  # RS-6

    total = max(resolution.alternative_totals(p["remedies"]).values(), default=Decimal("0.00"))
    check_proposal_against_standard(complaint=c, total=total, reason=p.get("internal_note", ""))
    solution = resolution.solution_propose(
        complaint=c,
        actor=actor,
        remedies=p["remedies"],
        description=p["description"],
        now=now,
        internal_note=p.get("internal_note", ""),
        responsible=p.get("responsible"),
        due_date=p.get("due_date"),
    )
    if solution.status == SolutionStatus.APPROVED:
        # Only an approved solution reaches the customer; one waiting for approval is no reply yet.
        c.replied_at = c.replied_at or now
    data = {
        "round": solution.round,
        "total": str(solution.total),
        "status": solution.status,
        "responsible": solution.responsible.username if solution.responsible else None,
        "due_at": timezone.localtime(solution.due_at).isoformat() if solution.due_at else None,
        "remedies": [
            {"type": r["type"], "amount": str(r["amount"])} for r in p["remedies"] if r.get("alternative", 1) == 1
        ],
    }
    if solution.alternatives > 1:
        data["alternatives"] = [
            [{"type": r["type"], "amount": str(r["amount"])} for r in p["remedies"] if r["alternative"] == number]
            for number in range(1, solution.alternatives + 1)
        ]
    return data


def _approve(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_approve(complaint=c, actor=actor, note=p["note"], now=now)
    c.replied_at = c.replied_at or now  # the solution now goes to the customer: the first reply
    return {"round": solution.round, "total": str(solution.total)}


def _reject_approval(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_reject_approval(complaint=c, actor=actor, note=p["reason"], now=now)
    return {"round": solution.round, "total": str(solution.total)}


def _customer_accept(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    solution = resolution.solution_customer_answer(
        complaint=c, accepted=True, note=p["note"], now=now, alternative=p.get("alternative")
    )
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
    resolution.callback_record(
        complaint=c,
        actor=actor,
        reached=p["reached"],
        satisfied=p["satisfied"],
        score=p["score"],
        comment=p["comment"],
        now=now,
        method=p.get("method") or ContactMethod.PHONE,
    )
    data = {
        "reached": p["reached"],
        "satisfied": p["satisfied"],
        "score": p["score"],
        "method": p.get("method") or ContactMethod.PHONE,
    }
    if p["reached"] and p["satisfied"] is False:
        data["escalation"] = _raise_level(
            c, now=now, reason=_("The customer is not satisfied."), cause="dissatisfied", actor=actor
        )
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


def _raise_level(
    c: Complaint, *, now: dt.datetime, reason: str, cause: str = "manual", actor: User | None = None
) -> dict[str, Any]:
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
        raise Conflict(
            _("Complaint %(number)s is no longer open; merge into an open one.") % {"number": target.number},
            field="into",
        )
    c.merged_into = target
    c.closed_at = now
    record_event(complaint=target, kind="merged_in", actor=actor, at=now, note=p["note"], data={"from": c.number})
    return {"into": target.number}


def _rule_invalid(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    from kesu.resolution.adjudication import adjudication_invalid

    c.closed_at = now
    adjudication_invalid(complaint=c, actor=actor, reason=p["reason"], note=p["note"], now=now)
    from kesu.compensation.services import receivables_release_not_upheld  # RS-8: not upheld

    receivables_release_not_upheld(complaint=c, actor=actor, now=now)
    return {"reason": p["reason"]}


def _settle_at_intake(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    """IN-7 resolved contact / IN-8 on-the-spot settlement: registered and closed at once."""
    c.result = p["result"]
    c.resolved_at = c.closed_at = c.acknowledged_at = now
    c.is_resolved_contact = p["kind"] == "resolved_contact"
    c.settled_on_spot = p["kind"] == "on_the_spot"
    return {"customer_answer": p.get("customer_answer", "")}


def _auto_close(c: Complaint, actor: User, p: Params, now: dt.datetime) -> dict[str, Any]:
    """FU-2: the customer did not get back after the standard SMS."""
    c.closed_at = now
    return {}
