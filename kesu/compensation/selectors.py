"""Money at the desk: reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import FRONT_DESK, STAFF_ROLES
from kesu.compensation.models import (
    CompensationStandard,
    HeldReceivable,
    LossAssessment,
    LossStandard,
    PettyCashVoucher,
    SupplierRecovery,
    VoucherStatus,
)
from kesu.compensation.services import (
    COUNTERSIGNERS,
    MONEY_LEADS,
    PAYABLE_SOLUTIONS,
    RECOVERY_ROLES,
    VOUCHER_APPROVERS,
    petty_cash_limit,
    standard_for,
)
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import NotFound
from kesu.resolution.models import Solution
from kesu.resolution.selectors import current_solution

# Who opens the vouchers queue: the supervisors who approve and the managers who countersign.
QUEUE_ROLES = frozenset({*VOUCHER_APPROVERS, Role.ADMIN})


def voucher_overdue(voucher: PettyCashVoucher, now: dt.datetime) -> bool:
    return (
        voucher.status == VoucherStatus.PAID and voucher.countersign_due is not None and voucher.countersign_due <= now
    )


def voucher_list(*, user: User, status: str | None = None) -> QuerySet[PettyCashVoucher]:
    rows = PettyCashVoucher.objects.filter(complaint__in=visible_complaints(user)).select_related(
        "complaint", "requested_by", "approved_by", "countersigned_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-requested_at", "-id")


def voucher_get(*, user: User, voucher_id: int) -> PettyCashVoucher:
    voucher = voucher_list(user=user).filter(pk=voucher_id).first()
    if voucher is None:
        raise NotFound(_("There is no such voucher."))
    return voucher


def _latest_payable(complaint: Complaint) -> Solution | None:
    """The latest approved or accepted solution: the current one when it is (or when there is none)."""
    current = current_solution(complaint)
    if current is None or current.status in PAYABLE_SOLUTIONS:
        return current
    return Solution.objects.filter(complaint=complaint, status__in=PAYABLE_SOLUTIONS).order_by("-round").first()


def complaint_standard(complaint: Complaint) -> CompensationStandard | None:
    """The compensation standard of the complaint's category, read once per complaint object (the
    page shows it in the money panel and beside the solution form)."""
    if "_compensation_standard" not in complaint.__dict__:
        complaint.__dict__["_compensation_standard"] = standard_for(complaint.category)
    found: CompensationStandard | None = complaint.__dict__["_compensation_standard"]
    return found


def money_panel(*, complaint: Complaint, user: User, now: dt.datetime) -> dict[str, Any]:
    """What the complaint page shows of the money: the standard, vouchers, receivables, supplier
    claims and loss assessments, and what the reader may do."""
    vouchers = list(
        PettyCashVoucher.objects.filter(complaint=complaint)
        .select_related("requested_by", "approved_by", "countersigned_by")
        .order_by("id")
    )
    for voucher in vouchers:
        voucher.overdue = voucher_overdue(voucher, now)  # type: ignore[attr-defined]
    payable = _latest_payable(complaint)
    limit = petty_cash_limit()
    return {
        "standard": complaint_standard(complaint),
        "vouchers": vouchers,
        "payable": payable,
        "limit": limit,
        "receivables": list(
            HeldReceivable.objects.filter(complaint=complaint).select_related("held_by").order_by("id")
        ),
        "recoveries": list(SupplierRecovery.objects.filter(complaint=complaint).order_by("id")),
        "assessments": list(
            LossAssessment.objects.filter(complaint=complaint).select_related("proposed_by").order_by("id")
        ),
        "loss_standards": list(LossStandard.objects.filter(active=True).order_by("code")),
        "can_request_voucher": payable is not None and user.role in FRONT_DESK,
        "can_approve": user.role in VOUCHER_APPROVERS,
        "can_countersign": user.role in COUNTERSIGNERS,
        "can_hold": user.role in MONEY_LEADS,
        "can_claim": user.role in RECOVERY_ROLES,
        "can_decide": user.role == Role.GM,
        "can_assess": user.role in STAFF_ROLES,
    }
