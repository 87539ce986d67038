"""Solutions and their approval within authority, callbacks (SPEC DP-3, RS-1…RS-3, FU-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from kesu.resolution.models import (
    ApprovalDecision,
    ApprovalDecisionKind,
    Callback,
    ContactMethod,
    Remedy,
    Solution,
    SolutionStatus,
)
from kesu.resolution.selectors import approval_limit, can_approve, current_solution

OPEN_SOLUTION_STATUSES = (SolutionStatus.PENDING_APPROVAL, SolutionStatus.APPROVED)


def alternative_totals(remedies: list[dict[str, Any]]) -> dict[int, Decimal]:
    """The total of each alternative (1, 2, …) of a proposal."""
    totals: dict[int, Decimal] = {}
    for remedy in remedies:
        number = int(remedy.get("alternative") or 1)
        totals[number] = totals.get(number, Decimal("0.00")) + remedy["amount"]
    return dict(sorted(totals.items()))


def solution_propose(
    *,
    complaint: Complaint,
    actor: User,
    remedies: list[dict[str, Any]],
    description: str,
    now: dt.datetime,
    internal_note: str = "",
    responsible: User | None = None,
    due_date: dt.date | None = None,
) -> Solution:
    """A new round; earlier open proposals are superseded and kept. Several alternatives may be
    offered at once (each remedy names its `alternative`, 1 by default); the approval must cover
    the dearest one, since the customer may choose it. Auto-approved when that total is 0 or
    within the proposer's own authority.

    RS-2: the solution names who carries it out (`responsible`, by default the proposer) and the
    date it is to be carried out (`due_date`, by the end of that day; by default the complaint's
    closing deadline), tracked as the complaint's `solution_due` deadline, met when it is resolved."""
    due_at = solution_due_at(complaint=complaint, due_date=due_date, now=now)
    complaint.solutions.filter(status__in=OPEN_SOLUTION_STATUSES).update(status=SolutionStatus.SUPERSEDED)
    previous = current_solution(complaint)
    totals = alternative_totals(remedies)
    total = max(totals.values(), default=Decimal("0.00"))
    self_approved = total == 0 or can_approve(actor, total)
    solution = Solution.objects.create(
        complaint=complaint,
        round=(previous.round + 1) if previous else 1,
        status=SolutionStatus.APPROVED if self_approved else SolutionStatus.PENDING_APPROVAL,
        total=total,
        description=description,
        internal_note=internal_note,
        proposed_by=actor,
        proposed_at=now,
        approved_by=actor if self_approved else None,
        approved_at=now if self_approved else None,
        approval_note=_("Within the proposer's authority.") if self_approved and total else "",
        alternatives=len(totals) or 1,
        responsible=responsible or actor,
        due_at=due_at,
    )
    if due_at is not None:
        _track_solution_due(complaint, solution, now)
    Remedy.objects.bulk_create(
        [
            Remedy(
                solution=solution,
                type=r["type"],
                amount=r["amount"],
                note=r.get("note", ""),
                alternative=int(r.get("alternative") or 1),
            )
            for r in remedies
        ]
    )
    if self_approved and total:
        _decide(solution, actor, ApprovalDecisionKind.AUTO_APPROVED, solution.approval_note, now)
    return solution


def solution_due_at(*, complaint: Complaint, due_date: dt.date | None, now: dt.datetime) -> dt.datetime | None:
    """The instant a solution is due: the end of `due_date` in the organisation's time zone (today
    at the earliest), else the complaint's closing deadline. ValidationFailed for a past date."""
    if due_date is None:
        return complaint.close_due
    from kesu.deadlines.selectors import deadline_config

    tz = deadline_config().calendar.tz
    if due_date < now.astimezone(tz).date():
        raise ValidationFailed(
            [FieldError("due_date", _("The solution's due date must be today or later."), "past_date")]
        )
    return dt.datetime.combine(due_date, dt.time(23, 59, 59), tzinfo=tz)


def _track_solution_due(complaint: Complaint, solution: Solution, now: dt.datetime) -> None:
    from kesu.deadlines.engine import HOURS
    from kesu.deadlines.policies import SOLUTION_DUE
    from kesu.deadlines.services import deadline_track

    assert solution.due_at is not None
    hours = int((solution.due_at - now).total_seconds() // 3600) if solution.due_at > now else 1
    deadline_track(
        complaint=complaint,
        kind=SOLUTION_DUE,
        started_at=now,
        due_at=solution.due_at,
        unit=HOURS,
        amount=hours,
        source={
            "source": "solution",
            "round": solution.round,
            "responsible": solution.responsible.username if solution.responsible else None,
        },
        now=now,
    )


def _drop_solution_due(complaint: Complaint, now: dt.datetime) -> None:
    """A refused solution is not carried out: its deadline is cancelled (the next proposal opens it again)."""
    from kesu.deadlines.policies import SOLUTION_DUE
    from kesu.deadlines.services import deadline_cancel

    deadline_cancel(complaint=complaint, kind=SOLUTION_DUE, now=now)


def solution_approve(*, complaint: Complaint, actor: User, note: str, now: dt.datetime) -> Solution:
    solution = _pending(complaint)
    if not can_approve(actor, solution.total):
        limit = approval_limit(actor)
        raise PermissionDenied(
            _("Your approval authority (%(limit)s CNY) does not cover %(total)s CNY.")
            % {"limit": limit, "total": solution.total},
            code="authority_exceeded",
        )
    solution.status = SolutionStatus.APPROVED
    solution.approved_by, solution.approved_at, solution.approval_note = actor, now, note
    solution.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    _decide(solution, actor, ApprovalDecisionKind.APPROVED, note, now)
    return solution


def solution_reject_approval(*, complaint: Complaint, actor: User, note: str, now: dt.datetime) -> Solution:
    """The approver refuses the proposal; it is kept, and the next proposal opens a new round."""
    solution = _pending(complaint)
    if not can_approve(actor, solution.total):
        raise PermissionDenied(
            _("Only an approver whose authority covers the total can reject it."), code="authority_exceeded"
        )
    solution.status = SolutionStatus.APPROVAL_REJECTED
    solution.approved_by, solution.approved_at, solution.approval_note = actor, now, note
    solution.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    _decide(solution, actor, ApprovalDecisionKind.REJECTED, note, now)
    _drop_solution_due(complaint, now)
    return solution


def solution_customer_answer(
    *, complaint: Complaint, accepted: bool, note: str, now: dt.datetime, alternative: int | None = None
) -> Solution:
    """The customer's answer to the approved solution; accepting names one of its alternatives
    (needed when more than one was offered)."""
    solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.APPROVED:
        raise Conflict(_("The current solution is not open for the customer's answer."))
    fields = ["status", "customer_answered_at", "customer_note"]
    if accepted:
        if alternative is None and solution.alternatives > 1:
            raise ValidationFailed(
                [
                    FieldError(
                        "alternative",
                        _("Say which of the %(count)d alternatives the customer accepts.")
                        % {"count": solution.alternatives},
                        "required",
                    )
                ]
            )
        if alternative is not None and not 1 <= alternative <= solution.alternatives:
            raise ValidationFailed(
                [
                    FieldError(
                        "alternative",
                        _("Choose an alternative from 1 to %(count)d.") % {"count": solution.alternatives},
                        "invalid_choice",
                    )
                ]
            )
        solution.accepted_alternative = alternative or 1
        fields.append("accepted_alternative")
    solution.status = SolutionStatus.ACCEPTED if accepted else SolutionStatus.CUSTOMER_REJECTED
    solution.customer_answered_at, solution.customer_note = now, note
    solution.save(update_fields=fields)
    if not accepted:
        _drop_solution_due(complaint, now)
    return solution


def callback_record(
    *,
    complaint: Complaint,
    actor: User,
    reached: bool,
    satisfied: bool | None,
    score: int | None,
    comment: str,
    now: dt.datetime,
    method: str = ContactMethod.PHONE,
) -> Callback:
    """One callback attempt (FU-2), reached or not, and how."""
    return Callback.objects.create(
        complaint=complaint,
        at=now,
        by=actor,
        reached=reached,
        method=method,
        satisfied=satisfied if reached else None,
        score=score if reached else None,
        comment=comment,
    )


def _decide(solution: Solution, actor: User, decision: str, note: str, now: dt.datetime) -> ApprovalDecision:
    return ApprovalDecision.objects.create(
        solution=solution,
        decision=decision,
        by=actor,
        role=actor.role,
        authority_limit=approval_limit(actor),
        at=now,
        note=note,
    )


def _pending(complaint: Complaint) -> Solution:
    solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.PENDING_APPROVAL:
        raise Conflict(_("No solution is waiting for approval."))
    return solution
