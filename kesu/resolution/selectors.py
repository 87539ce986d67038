from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from kesu.accounts.models import User
from kesu.accounts.permissions import DEFAULT_APPROVAL_AUTHORITY
from kesu.complaints.models import Complaint
from kesu.resolution.models import ApprovalAuthority, Callback, Solution


def current_solution(complaint: Complaint) -> Solution | None:
    return complaint.solutions.order_by("-round").first()


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
