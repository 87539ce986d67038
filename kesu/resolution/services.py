"""Solutions and their approval within authority, callbacks (SPEC DP-3, RS-1…RS-3, FU-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.core.errors import Conflict, PermissionDenied
from kesu.resolution.models import Callback, Remedy, Solution, SolutionStatus
from kesu.resolution.selectors import approval_limit, can_approve, current_solution

OPEN_SOLUTION_STATUSES = (SolutionStatus.PENDING_APPROVAL, SolutionStatus.APPROVED)


def solution_propose(*, complaint: Complaint, actor: User, remedies: list[dict[str, Any]],
                     description: str, now: dt.datetime) -> Solution:
    """A new round; earlier open proposals are superseded and kept. Auto-approved when the
    total is 0 or within the proposer's own authority."""
    complaint.solutions.filter(status__in=OPEN_SOLUTION_STATUSES).update(status=SolutionStatus.SUPERSEDED)
    previous = current_solution(complaint)
    total = sum((r["amount"] for r in remedies), Decimal("0.00"))
    self_approved = total == 0 or can_approve(actor, total)
    solution = Solution.objects.create(
        complaint=complaint, round=(previous.round + 1) if previous else 1,
        status=SolutionStatus.APPROVED if self_approved else SolutionStatus.PENDING_APPROVAL,
        total=total, description=description, proposed_by=actor, proposed_at=now,
        approved_by=actor if self_approved else None, approved_at=now if self_approved else None,
        approval_note=_("Within the proposer's authority.") if self_approved and total else "",
    )
    Remedy.objects.bulk_create(
        [Remedy(solution=solution, type=r["type"], amount=r["amount"], note=r.get("note", "")) for r in remedies]
    )
    return solution


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
    return solution


def solution_reject_approval(*, complaint: Complaint, actor: User, note: str, now: dt.datetime) -> Solution:
    solution = _pending(complaint)
    if not can_approve(actor, solution.total):
        raise PermissionDenied(_("Only an approver whose authority covers the total can reject it."),
                               code="authority_exceeded")
    solution.status = SolutionStatus.APPROVAL_REJECTED
    solution.approved_by, solution.approved_at, solution.approval_note = actor, now, note
    solution.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    return solution


def solution_customer_answer(*, complaint: Complaint, accepted: bool, note: str, now: dt.datetime) -> Solution:
    solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.APPROVED:
        raise Conflict(_("The current solution is not open for the customer's answer."))
    solution.status = SolutionStatus.ACCEPTED if accepted else SolutionStatus.CUSTOMER_REJECTED
    solution.customer_answered_at, solution.customer_note = now, note
    solution.save(update_fields=["status", "customer_answered_at", "customer_note"])
    return solution


def callback_record(*, complaint: Complaint, actor: User, reached: bool, satisfied: bool | None,
                    score: int | None, comment: str, now: dt.datetime) -> Callback:
    return Callback.objects.create(complaint=complaint, at=now, by=actor, reached=reached,
                                   satisfied=satisfied if reached else None,
                                   score=score if reached else None, comment=comment)


def _pending(complaint: Complaint) -> Solution:
    solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.PENDING_APPROVAL:
        raise Conflict(_("No solution is waiting for approval."))
    return solution
