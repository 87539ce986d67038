from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from kesu.accounts.models import User
from kesu.accounts.permissions import DEFAULT_APPROVAL_AUTHORITY
from kesu.complaints.models import Complaint
from kesu.resolution.models import ApprovalAuthority, Callback, Solution

# A read-only page reads the current solution once and keeps it on its complaint, so that the guards
# it asks (may this be offered? approved?) read the same row instead of querying again.
_PRIMED = "_kesu_current_solution"


def current_solution(complaint: Complaint) -> Solution | None:
    if _PRIMED in complaint.__dict__:
        primed: Solution | None = complaint.__dict__[_PRIMED]
        return primed
    return complaint.solutions.order_by("-round").first()


def prime_current_solution(complaint: Complaint) -> Solution | None:
    """For a page that only reads: the current solution (with who proposed it), kept on `complaint`.
    Never call it before a write: a service must read the solution as it is in the database."""
    solution = complaint.solutions.select_related("proposed_by", "responsible").order_by("-round").first()
    complaint.__dict__[_PRIMED] = solution
    return solution


def last_reached_callback(complaint: Complaint, *, since: dt.datetime | None = None) -> Callback | None:
    """The latest callback that reached the customer, at or after `since` when given."""
    callbacks = complaint.callbacks.filter(reached=True)
    if since is not None:
        callbacks = callbacks.filter(at__gte=since)
    return callbacks.order_by("-at", "-id").first()


def approval_limit(user: User) -> Decimal | None:
    """The most `user` may approve, in CNY; None means unlimited. A department row wins."""
    rows = list(
        ApprovalAuthority.objects.filter(role=user.role).filter(
            Q(department__isnull=True) | Q(department_id=user.department_id)
        )
    )
    own = next((r for r in rows if r.department_id is not None), None)
    default = next((r for r in rows if r.department_id is None), None)
    row = own or default
    if row is not None:
        return row.limit
    return DEFAULT_APPROVAL_AUTHORITY.get(user.role, Decimal("0"))


def can_approve(user: User, total: Decimal) -> bool:
    limit = approval_limit(user)
    return limit is None or total <= limit


# The roles that approve solutions, from the smallest authority up (SPEC DP-3).
APPROVER_LADDER = ("agent", "supervisor", "manager", "gm")


def role_approval_limit(role: str) -> Decimal | None:
    """A role's company-wide authority (department rows aside); None means unlimited."""
    row = ApprovalAuthority.objects.filter(role=role, department__isnull=True).first()
    if row is not None:
        return row.limit
    return DEFAULT_APPROVAL_AUTHORITY.get(role, Decimal("0"))


def approver_role_for(total: Decimal) -> tuple[str, Decimal | None] | None:
    """The first role up the ladder whose company-wide authority covers `total`, with it."""
    rows = dict(
        ApprovalAuthority.objects.filter(role__in=APPROVER_LADDER, department__isnull=True).values_list("role", "limit")
    )
    for role in APPROVER_LADDER:
        limit = rows[role] if role in rows else DEFAULT_APPROVAL_AUTHORITY.get(role, Decimal("0"))
        if limit is None or total <= limit:
            return role, limit
    return None
