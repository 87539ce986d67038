"""Money at the desk (SPEC RS-6, RS-7, RS-8, IV-2): writes and the standards' arithmetic.

- RS-6: the compensation standard of a complaint's category guides a proposal; a proposal dearer
  than the standard's upper bound needs its reason (checked from the propose action,
  kesu/complaints/services/action_effects.py, before the solution is written).
- RS-7: money paid out is a petty-cash voucher (备用金借支单) on an approved solution; up to the
  petty-cash limit (100 CNY) the shift supervisor approves it and it is paid at once, then the
  customer-service manager countersigns it; the sweep escalates vouchers not countersigned in time.
  Beyond the limit only the manager (or the GM) approves, and that approval is the signature.
- RS-8: a receivable held back is released to finance when the complaint is not upheld.
- IV-2: a supplier bears the cost, or the GM approves paying it when the supplier refuses; loss
  amounts and penalties are computed from the written standards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import FRONT_DESK, STAFF_ROLES, can_configure
from kesu.audit.services import audit_record
from kesu.compensation.models import (
    CompensationStandard,
    HeldReceivable,
    LossBasis,
    LossStandard,
    PenaltyStandard,
    PettyCashVoucher,
    ReceivableStatus,
    RecoveryStatus,
    SupplierRecovery,
    VoucherStatus,
)
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, NotFound, PermissionDenied
from kesu.core.money import CENT, ZERO
from kesu.notifications.services import notify_users
from kesu.resolution.models import Responsibility, Solution, SolutionStatus
from kesu.triage.models import Category

HUNDRED = Decimal("100")
# Who may ask for a voucher (the desk), approve one within the limit, and countersign.
VOUCHER_APPROVERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.GM})
COUNTERSIGNERS = frozenset({Role.MANAGER})
MONEY_LEADS = frozenset({Role.MANAGER, Role.GM, Role.ADMIN})
RECOVERY_ROLES = frozenset({Role.HANDLER, Role.MANAGER, Role.GM, Role.ADMIN})
PAYABLE_SOLUTIONS = (SolutionStatus.APPROVED, SolutionStatus.ACCEPTED)


def petty_cash_limit() -> Decimal:
    """RS-7: what the shift supervisor may pay out from petty cash (100 CNY)."""
    return Decimal(str(getattr(settings, "KESU_PETTY_CASH_LIMIT", "100.00")))


def countersign_within() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "KESU_PETTY_CASH_COUNTERSIGN_HOURS", 24)))


def _positive_amount(c: Collector, value: object) -> Decimal | None:
    parsed = c.amount({"amount": str(value) if isinstance(value, Decimal) else value}, "amount", "amount")
    if value in (None, ""):
        c.add("amount", _("This field is required."), "required")
    elif parsed is not None and parsed <= 0:
        c.add("amount", _("The amount must be more than 0."), "invalid")
    return parsed


# --- RS-6 compensation standard --------------------------------------------------------------------


def standard_for(category: Category | None) -> CompensationStandard | None:
    """The active standard of the category or its nearest ancestor (one query: the codes name the
    ancestors)."""
    if category is None:
        return None
    depth = {code: n for n, code in enumerate(category.ancestor_codes())}
    rows = CompensationStandard.objects.filter(category__code__in=depth, active=True).select_related("category")
    best = sorted(rows, key=lambda row: (-depth[row.category.code], row.pk))
    return best[0] if best else None


def check_proposal_against_standard(*, complaint: Complaint, total: Decimal, reason: str) -> None:
    """RS-6: a proposal dearer than the standard says why (in its internal note), or is refused."""
    standard = standard_for(complaint.category)
    if standard is None or total <= standard.max_amount or reason.strip():
        return
    c = Collector()
    c.add(
        "internal_note",
        _(
            "%(total)s CNY is beyond the compensation standard (%(remedy)s, %(low)s–%(high)s CNY): "
            "give the reason in the internal note."
        )
        % {
            "total": total,
            "remedy": standard.get_remedy_type_display(),
            "low": standard.min_amount,
            "high": standard.max_amount,
        },
        "beyond_standard",
    )
    c.raise_if_any()


STANDARD_FIELDS = ("category", "remedy_type", "min_amount", "max_amount", "note", "active")


def _require_configure(actor: User) -> None:
    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))


def _audit(actor: User, action: str, object_type: str, object_id: Any, data: dict[str, Any], now: dt.datetime) -> None:
    audit_record(actor=actor, action=action, object_type=object_type, object_id=str(object_id), data=data, at=now)


def standard_save(
    *, actor: User, standard: CompensationStandard | None, values: Mapping[str, Any], now: dt.datetime
) -> CompensationStandard:
    _require_configure(actor)
    low, high = values.get("min_amount"), values.get("max_amount")
    if low is not None and high is not None and high < low:
        c = Collector()
        c.add("max_amount", _("The upper bound is below the lower one."), "invalid")
        c.raise_if_any()
    with transaction.atomic():
        row = standard or CompensationStandard()
        for field in STANDARD_FIELDS:
            if field in values:
                setattr(row, field, values[field])
        row.updated_by, row.updated_at = actor, now
        row.save()
        _audit(
            actor,
            "config.compensation_standard",
            "compensation_standard",
            row.pk,
            {f: str(getattr(row, f)) for f in STANDARD_FIELDS},
            now,
        )
    return row


# --- RS-7 petty-cash vouchers ----------------------------------------------------------------------


def _solution(complaint: Complaint, solution_id: int | None) -> Solution:
    rows = Solution.objects.filter(complaint=complaint, status__in=PAYABLE_SOLUTIONS)
    solution = rows.filter(pk=solution_id).first() if solution_id else rows.order_by("-round", "-id").first()
    if solution is None:
        c = Collector()
        c.add("solution", _("Money is paid out only on an approved solution."), "no_solution")
        c.raise_if_any()
    assert solution is not None
    return solution


def voucher_request(
    *,
    actor: User,
    number: str,
    amount: object,
    payee: str,
    purpose: str,
    now: dt.datetime,
    solution_id: int | None = None,
) -> PettyCashVoucher:
    c = Collector()
    data = {"payee": payee, "purpose": purpose}
    payee = c.text(data, "payee", "payee", max_length=120, required=True)
    purpose = c.text(data, "purpose", "purpose", max_length=200, required=True)
    parsed = _positive_amount(c, amount)
    c.raise_if_any()
    assert parsed is not None
    money: Decimal = parsed
    if actor.role not in FRONT_DESK:
        raise PermissionDenied(_("Petty cash is paid out at the complaint desk."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        solution = _solution(complaint, solution_id)
        used = (
            PettyCashVoucher.objects.filter(solution=solution)
            .exclude(status=VoucherStatus.REJECTED)
            .aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        if used + money > solution.total:
            c.add(
                "amount",
                _("The solution allows %(left)s CNY more (of %(total)s CNY).")
                % {"left": max(ZERO, solution.total - used), "total": solution.total},
                "beyond_solution",
            )
            c.raise_if_any()
        voucher = PettyCashVoucher.objects.create(
            complaint=complaint,
            solution=solution,
            amount=money,
            payee=payee,
            purpose=purpose,
            status=VoucherStatus.REQUESTED,
            requested_by=actor,
            requested_at=now,
        )
        record_event(
            complaint=complaint,
            kind="voucher_requested",
            actor=actor,
            at=now,
            data={"voucher": voucher.number, "amount": str(money), "solution": solution.round},
        )
        approvers = User.objects.filter(
            is_active=True, role=Role.SUPERVISOR if money <= petty_cash_limit() else Role.MANAGER
        )
        notify_users(
            users=list(approvers.order_by("id")),
            kind="voucher_requested",
            subject=_("Petty-cash voucher %(voucher)s for %(amount)s CNY to approve")
            % {"voucher": voucher.number, "amount": money},
            body=_("Complaint %(number)s: %(purpose)s, paid to %(payee)s.")
            % {"number": complaint.number, "purpose": purpose, "payee": payee},
            now=now,
            complaint=complaint,
        )
    return voucher


def _voucher(voucher_id: int, actor: User) -> PettyCashVoucher:
    from kesu.complaints.selectors import visible_complaints

    voucher = (
        PettyCashVoucher.objects.select_for_update(of=("self",))
        .filter(pk=voucher_id, complaint__in=visible_complaints(actor))
        .select_related("complaint")
        .first()
    )
    if voucher is None:
        raise NotFound(_("There is no such voucher."))
    return voucher


def voucher_approve(*, actor: User, voucher_id: int, now: dt.datetime, note: str = "") -> PettyCashVoucher:
    """Up to the limit the shift supervisor approves and it is paid, to be countersigned; beyond it
    only the customer-service manager or the GM approves, which is their signature."""
    if actor.role not in VOUCHER_APPROVERS:
        raise PermissionDenied(_("Only the shift supervisor or above approves petty cash."))
    with transaction.atomic():
        voucher = _voucher(voucher_id, actor)
        if voucher.status != VoucherStatus.REQUESTED:
            raise Conflict(_("This voucher is not awaiting approval."), code="not_requested")
        limit = petty_cash_limit()
        if actor.role == Role.SUPERVISOR and voucher.amount > limit:
            raise PermissionDenied(
                _(
                    "%(amount)s CNY is beyond the shift supervisor's %(limit)s CNY: "
                    "the customer-service manager approves it."
                )
                % {"amount": voucher.amount, "limit": limit},
                code="beyond_petty_cash_limit",
            )
        voucher.approved_by, voucher.approved_at = actor, now
        voucher.note = note.strip()[:2000] or voucher.note
        if actor.role == Role.SUPERVISOR:
            voucher.status = VoucherStatus.PAID
            voucher.countersign_due = now + countersign_within()
        else:
            voucher.status = VoucherStatus.COUNTERSIGNED
            voucher.countersigned_by, voucher.countersigned_at = actor, now
        voucher.save()
        record_event(
            complaint=voucher.complaint,
            kind="voucher_paid",
            actor=actor,
            at=now,
            note=voucher.note,
            data={"voucher": voucher.number, "amount": str(voucher.amount), "status": voucher.status},
        )
        if voucher.status == VoucherStatus.PAID:
            managers = User.objects.filter(is_active=True, role=Role.MANAGER).order_by("id")
            notify_users(
                users=list(managers),
                kind="voucher_countersign",
                subject=_("Petty-cash voucher %(voucher)s to countersign") % {"voucher": voucher.number},
                body=_("%(amount)s CNY was paid on complaint %(number)s with the shift supervisor's approval.")
                % {"amount": voucher.amount, "number": voucher.complaint.number},
                now=now,
                complaint=voucher.complaint,
            )
    return voucher


def voucher_reject(*, actor: User, voucher_id: int, note: str, now: dt.datetime) -> PettyCashVoucher:
    if actor.role not in VOUCHER_APPROVERS:
        raise PermissionDenied(_("Only the shift supervisor or above approves petty cash."))
    c = Collector()
    note = c.text({"note": note}, "note", "note", max_length=2000, required=True)
    c.raise_if_any()
    with transaction.atomic():
        voucher = _voucher(voucher_id, actor)
        if voucher.status != VoucherStatus.REQUESTED:
            raise Conflict(_("This voucher is not awaiting approval."), code="not_requested")
        voucher.status, voucher.note = VoucherStatus.REJECTED, note
        voucher.approved_by, voucher.approved_at = actor, now
        voucher.save()
        record_event(
            complaint=voucher.complaint,
            kind="voucher_rejected",
            actor=actor,
            at=now,
            note=note,
            data={"voucher": voucher.number, "amount": str(voucher.amount)},
        )
    return voucher


def voucher_countersign(*, actor: User, voucher_id: int, now: dt.datetime, note: str = "") -> PettyCashVoucher:
    """RS-7: the customer-service manager checks and countersigns what the supervisor paid."""
    if actor.role not in COUNTERSIGNERS:
        raise PermissionDenied(
            _("Only the customer-service manager countersigns petty cash."), code="not_countersigner"
        )
    with transaction.atomic():
        voucher = _voucher(voucher_id, actor)
        if voucher.status != VoucherStatus.PAID:
            raise Conflict(_("This voucher is not awaiting countersignature."), code="not_paid")
        voucher.status = VoucherStatus.COUNTERSIGNED
        voucher.countersigned_by, voucher.countersigned_at = actor, now
        if note.strip():
            voucher.note = note.strip()[:2000]
        voucher.save()
        record_event(
            complaint=voucher.complaint,
            kind="voucher_countersigned",
            actor=actor,
            at=now,
            note=voucher.note,
            data={"voucher": voucher.number, "amount": str(voucher.amount)},
        )
    return voucher


def vouchers_escalate_uncountersigned(*, now: dt.datetime, limit: int = 500) -> int:
    """RS-7 tracking: a paid voucher not countersigned in time is escalated once to the managers
    and the GM."""
    done = 0
    with transaction.atomic():
        rows = list(
            PettyCashVoucher.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(status=VoucherStatus.PAID, escalated_at__isnull=True, countersign_due__lte=now)
            .select_related("complaint")
            .order_by("countersign_due", "id")[:limit]
        )
        if not rows:
            return 0
        above = list(User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.GM]).order_by("id"))
        for voucher in rows:
            voucher.escalated_at = now
            voucher.save(update_fields=["escalated_at"])
            notify_users(
                users=above,
                kind="voucher_overdue",
                subject=_("Petty-cash voucher %(voucher)s still not countersigned") % {"voucher": voucher.number},
                body=_("%(amount)s CNY paid on complaint %(number)s was to be countersigned by %(due)s.")
                % {
                    "amount": voucher.amount,
                    "number": voucher.complaint.number,
                    "due": voucher.countersign_due.isoformat() if voucher.countersign_due else "",
                },
                now=now,
                complaint=voucher.complaint,
            )
            record_event(
                complaint=voucher.complaint,
                kind="voucher_countersign_overdue",
                actor=None,
                at=now,
                data={"voucher": voucher.number, "amount": str(voucher.amount)},
            )
            done += 1
    return done


# --- RS-8 held receivables -------------------------------------------------------------------------


def receivable_hold(
    *, actor: User, number: str, reference: str, amount: object, note: str, now: dt.datetime
) -> HeldReceivable:
    c = Collector()
    data = {"reference": reference, "note": note}
    reference = c.text(data, "reference", "reference", max_length=80, required=True)
    note = c.text(data, "note", "note", max_length=2000)
    parsed = _positive_amount(c, amount)
    c.raise_if_any()
    assert parsed is not None
    money: Decimal = parsed
    if actor.role not in MONEY_LEADS:
        raise PermissionDenied(_("Only the customer-service manager or the GM holds a receivable back."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = HeldReceivable.objects.create(
            complaint=complaint,
            reference=reference,
            amount=money,
            status=ReceivableStatus.HELD,
            held_by=actor,
            held_at=now,
            note=note,
        )
        record_event(
            complaint=complaint,
            kind="receivable_held",
            actor=actor,
            at=now,
            note=note,
            data={"receivable": row.pk, "reference": reference, "amount": str(money)},
        )
    return row


def _finance_people() -> list[User]:
    return list(User.objects.filter(is_active=True, department__code="finance").order_by("id"))


def receivables_release_not_upheld(*, complaint: Complaint, actor: User | None, now: dt.datetime) -> int:
    """RS-8: called where a complaint is ruled not upheld (the `rule_invalid` action), inside that
    transaction: what it held back goes to finance to be collected as usual."""
    rows = list(HeldReceivable.objects.select_for_update().filter(complaint=complaint, status=ReceivableStatus.HELD))
    for row in rows:
        row.status, row.released_by, row.released_at = ReceivableStatus.RELEASED, actor, now
        row.save(update_fields=["status", "released_by", "released_at"])
        record_event(
            complaint=complaint,
            kind="receivable_released",
            actor=actor,
            at=now,
            data={"receivable": row.pk, "reference": row.reference, "amount": str(row.amount)},
        )
    if rows:
        notify_users(
            users=_finance_people(),
            kind="receivable_released",
            subject=_("Receivables of complaint %(number)s released for collection") % {"number": complaint.number},
            body="\n".join(
                _("%(reference)s: %(amount)s CNY, to be collected as usual.")
                % {"reference": r.reference, "amount": r.amount}
                for r in rows
            ),
            now=now,
            complaint=complaint,
        )
    return len(rows)


def receivable_settle(
    *, actor: User, number: str, receivable_id: int, outcome: str, now: dt.datetime
) -> HeldReceivable:
    """By hand: `released` (not upheld: finance collects) or `offset` (upheld: set against the remedy)."""
    if outcome not in (ReceivableStatus.RELEASED, ReceivableStatus.OFFSET):
        c = Collector()
        c.add("outcome", _("Choose one of the listed values."), "invalid_choice")
        c.raise_if_any()
    if actor.role not in MONEY_LEADS:
        raise PermissionDenied(_("Only the customer-service manager or the GM releases a held receivable."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = HeldReceivable.objects.select_for_update().filter(pk=receivable_id, complaint=complaint).first()
        if row is None:
            raise NotFound(_("This complaint holds no such receivable."))
        if row.status != ReceivableStatus.HELD:
            raise Conflict(_("This receivable is no longer held."), code="not_held")
        if outcome == ReceivableStatus.RELEASED:
            receivables_release_not_upheld(complaint=complaint, actor=actor, now=now)
            row.refresh_from_db()
            return row
        row.status, row.released_by, row.released_at = ReceivableStatus.OFFSET, actor, now
        row.save(update_fields=["status", "released_by", "released_at"])
        record_event(
            complaint=complaint,
            kind="receivable_offset",
            actor=actor,
            at=now,
            data={"receivable": row.pk, "reference": row.reference, "amount": str(row.amount)},
        )
    return row


# --- IV-2 supplier cost recovery -------------------------------------------------------------------


def recovery_open(
    *, actor: User, number: str, supplier: str, amount: object, reason: str, now: dt.datetime
) -> SupplierRecovery:
    c = Collector()
    data = {"supplier": supplier, "reason": reason}
    supplier = c.text(data, "supplier", "supplier", max_length=120, required=True)
    reason = c.text(data, "reason", "reason", max_length=4000, required=True)
    parsed = _positive_amount(c, amount)
    c.raise_if_any()
    assert parsed is not None
    money: Decimal = parsed
    if actor.role not in RECOVERY_ROLES:
        raise PermissionDenied(_("Only the handler or the customer-service manager claims costs from a supplier."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = SupplierRecovery.objects.create(
            complaint=complaint,
            supplier=supplier,
            amount=money,
            reason=reason,
            status=RecoveryStatus.CLAIMED,
            opened_by=actor,
            opened_at=now,
        )
        record_event(
            complaint=complaint,
            kind="supplier_claimed",
            actor=actor,
            at=now,
            note=reason,
            data={"recovery": row.pk, "supplier": supplier, "amount": str(money)},
        )
    return row


def recovery_answer(
    *, actor: User, number: str, recovery_id: int, accepted: bool, answer: str, now: dt.datetime
) -> SupplierRecovery:
    """The supplier's answer, recorded by the handler or manager; a refusal goes to the GM."""
    c = Collector()
    answer = c.text({"answer": answer}, "answer", "answer", max_length=4000, required=True)
    c.raise_if_any()
    if actor.role not in RECOVERY_ROLES:
        raise PermissionDenied(_("Only the handler or the customer-service manager records the supplier's answer."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = SupplierRecovery.objects.select_for_update().filter(pk=recovery_id, complaint=complaint).first()
        if row is None:
            raise NotFound(_("This complaint has no such supplier claim."))
        if row.status != RecoveryStatus.CLAIMED:
            raise Conflict(_("The supplier has already answered."), code="already_answered")
        row.status = RecoveryStatus.ACCEPTED if accepted else RecoveryStatus.REFUSED
        row.supplier_answer, row.answered_by, row.answered_at = answer, actor, now
        row.save(update_fields=["status", "supplier_answer", "answered_by", "answered_at"])
        record_event(
            complaint=complaint,
            kind="supplier_answered",
            actor=actor,
            at=now,
            note=answer,
            data={"recovery": row.pk, "supplier": row.supplier, "accepted": accepted},
        )
        if not accepted:
            notify_users(
                users=list(User.objects.filter(is_active=True, role=Role.GM).order_by("id")),
                kind="supplier_refused",
                subject=_("Supplier %(supplier)s refuses %(amount)s CNY on complaint %(number)s")
                % {"supplier": row.supplier, "amount": row.amount, "number": complaint.number},
                body=answer,
                now=now,
                complaint=complaint,
            )
    return row


def recovery_gm_decide(
    *, actor: User, number: str, recovery_id: int, pay: bool, note: str, now: dt.datetime
) -> SupplierRecovery:
    """IV-2: when the supplier refuses, the company pays only after the GM approves."""
    if actor.role != Role.GM:
        raise PermissionDenied(_("Only the general manager decides whether the company pays."), code="not_gm")
    c = Collector()
    note = c.text({"note": note}, "note", "note", max_length=4000)
    c.raise_if_any()
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = SupplierRecovery.objects.select_for_update().filter(pk=recovery_id, complaint=complaint).first()
        if row is None:
            raise NotFound(_("This complaint has no such supplier claim."))
        if row.status != RecoveryStatus.REFUSED:
            raise Conflict(_("Only a claim the supplier refused goes to the GM."), code="not_refused")
        row.status = RecoveryStatus.COMPANY_PAYS if pay else RecoveryStatus.DECLINED
        row.decided_by, row.decided_at, row.decision_note = actor, now, note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_event(
            complaint=complaint,
            kind="supplier_cost_decided",
            actor=actor,
            at=now,
            note=note,
            data={"recovery": row.pk, "supplier": row.supplier, "company_pays": pay, "amount": str(row.amount)},
        )
    return row


# --- IV-2 loss and penalty standards ---------------------------------------------------------------


@dataclass(frozen=True)
class LossLine:
    standard: LossStandard
    quantity: Decimal  # units, 1 for a fixed amount, or the value a percentage applies to

    @property
    def amount(self) -> Decimal:
        if self.standard.basis == LossBasis.PERCENT:
            value = self.quantity * self.standard.rate / HUNDRED
        elif self.standard.basis == LossBasis.FIXED:
            value = self.standard.rate if self.quantity else ZERO
        else:
            value = self.quantity * self.standard.rate
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute_loss(lines: list[LossLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO).quantize(CENT)


def penalty_band(*, loss: Decimal, responsibility: str) -> PenaltyStandard | None:
    """The band for this responsibility (or any) whose range holds the loss; the specific one wins."""
    rows = (
        PenaltyStandard.objects.filter(Q(responsibility=responsibility) | Q(responsibility=""))
        .filter(loss_from__lte=loss)
        .filter(Q(loss_below__isnull=True) | Q(loss_below__gt=loss))
    )
    return rows.order_by("-responsibility", "-loss_from", "id").first()


def compute_penalty(*, loss: Decimal, responsibility: str) -> Decimal:
    band = penalty_band(loss=loss, responsibility=responsibility)
    if band is None:
        return ZERO
    return (band.fixed + loss * band.percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_loss_lines(raw: Mapping[str, Any]) -> tuple[list[LossLine], Collector]:
    """`{standard code: quantity}`; blank or 0 quantities are left out."""
    c = Collector()
    lines: list[LossLine] = []
    standards = {s.code: s for s in LossStandard.objects.filter(active=True)}
    for code, value in raw.items():
        if value in (None, "", 0, "0"):
            continue
        standard = standards.get(str(code))
        if standard is None:
            c.add(f"lines.{code}", _("Unknown loss standard: %(code)s.") % {"code": code}, "invalid_choice")
            continue
        amount = c.amount({"q": value}, "q", f"lines.{code}")
        if amount is not None and amount > 0:
            lines.append(LossLine(standard=standard, quantity=amount))
    return lines, c


def loss_assess(*, actor: User, number: str, lines: Mapping[str, Any], responsibility: str, now: dt.datetime) -> Any:
    """The handler's proposal from the standards: each line's amount, the loss and the penalty."""
    from kesu.compensation.models import LossAssessment

    parsed, c = parse_loss_lines(lines)
    if responsibility and responsibility not in Responsibility.values:
        c.add("responsibility", _("Choose one of the listed values."), "invalid_choice")
    if not parsed and not c.errors:
        c.add("lines", _("Give a quantity for at least one line."), "required")
    c.raise_if_any()
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))
    loss = compute_loss(parsed)
    penalty = compute_penalty(loss=loss, responsibility=responsibility)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        row = LossAssessment.objects.create(
            complaint=complaint,
            lines=[
                {"code": line.standard.code, "quantity": str(line.quantity), "amount": str(line.amount)}
                for line in parsed
            ],
            responsibility=responsibility,
            loss_amount=loss,
            penalty_amount=penalty,
            proposed_by=actor,
            proposed_at=now,
        )
        record_event(
            complaint=complaint,
            kind="loss_assessed",
            actor=actor,
            at=now,
            data={"loss": str(loss), "penalty": str(penalty), "responsibility": responsibility},
        )
    return row


def loss_standard_save(
    *, actor: User, standard: LossStandard | None, values: Mapping[str, Any], now: dt.datetime
) -> LossStandard:
    _require_configure(actor)
    with transaction.atomic():
        row = standard or LossStandard()
        for field in ("code", "name", "basis", "rate", "active"):
            if field in values:
                setattr(row, field, values[field])
        row.save()
        _audit(
            actor,
            "config.loss_standard",
            "loss_standard",
            row.code,
            {"name": row.name, "basis": row.basis, "rate": str(row.rate), "active": row.active},
            now,
        )
    return row


def penalty_standard_save(
    *, actor: User, standard: PenaltyStandard | None, values: Mapping[str, Any], now: dt.datetime
) -> PenaltyStandard:
    _require_configure(actor)
    low, high = values.get("loss_from"), values.get("loss_below")
    if low is not None and high is not None and high <= low:
        c = Collector()
        c.add("loss_below", _("The upper bound is below the lower one."), "invalid")
        c.raise_if_any()
    with transaction.atomic():
        row = standard or PenaltyStandard()
        for field in ("responsibility", "loss_from", "loss_below", "fixed", "percent", "note"):
            if field in values:
                setattr(row, field, values[field])
        row.save()
        _audit(
            actor,
            "config.penalty_standard",
            "penalty_standard",
            row.pk,
            {
                "responsibility": row.responsibility,
                "loss_from": str(row.loss_from),
                "loss_below": str(row.loss_below),
                "fixed": str(row.fixed),
                "percent": str(row.percent),
            },
            now,
        )
    return row
