"""Finding the complaint a staff action acts on: one helper for every service that writes.

In this order: the auditor's read-only rule (403), visibility (404, the same answer whether the
complaint does not exist or is not the actor's to see), the row lock for the caller's transaction,
and, when asked, the ownership rule of the transition table (403 `not_own_work`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import NotFound, PermissionDenied


def refuse_read_only(actor: User) -> None:
    """Auditors (every role outside the staff roles) read only."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))


def require_own_work(complaint: Complaint, actor: User) -> None:
    """Agents and handlers act on their own work only (the transition table's ownership rule)."""
    from kesu.complaints.workflow import own_work_reason

    reason = own_work_reason(complaint, actor)
    if reason:
        raise PermissionDenied(reason, code="not_own_work")


def complaint_for_action(*, actor: User, number: str, own_work: bool = False, staff_only: bool = True) -> Complaint:
    """The complaint `number` that `actor` acts on, locked (SELECT … FOR UPDATE of its row) for the
    caller's transaction. Call inside `transaction.atomic()`. `staff_only=False` leaves the read-only
    rule to the caller (a role check that comes later in its own order)."""
    if staff_only:
        refuse_read_only(actor)
    complaint = visible_complaints(actor).select_for_update(of=("self",)).filter(number=number).first()
    if complaint is None:
        raise NotFound(_("No complaint has this number."))
    if own_work:
        require_own_work(complaint, actor)
    return complaint
