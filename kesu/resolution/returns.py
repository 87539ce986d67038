"""Returns and allowances (SPEC RS-5): credit notes (销货折让证明单) and return slips (成品退货单)
issued for an accepted solution, with the approved and actually returned quantities
reconciled within a tolerance (setting `KESU_RETURN_TOLERANCE_PERCENT`, default 0)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import MANAGERS
from kesu.complaints.events import record_event
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.core.money import CENT, ZERO
from kesu.resolution.models import (
    ReconciliationStatus,
    RemedyType,
    ReturnDocument,
    ReturnKind,
    SolutionStatus,
)
from kesu.resolution.selectors import current_solution

# Which remedies of the accepted alternative each document carries out.
REMEDIES_FOR: dict[str, frozenset[str]] = {
    ReturnKind.CREDIT_NOTE: frozenset({RemedyType.ALLOWANCE, RemedyType.REFUND, RemedyType.COMPENSATION}),
    ReturnKind.RETURN_SLIP: frozenset({RemedyType.RETURN, RemedyType.EXCHANGE}),
}
FINANCE_DEPARTMENT = "finance"


def tolerance_percent() -> Decimal:
    return Decimal(str(settings.KESU_RETURN_TOLERANCE_PERCENT))


def reconcile(approved: int, returned: int) -> str:
    """Matched when the returned quantity is within the tolerance of the approved one."""
    allowed = Decimal(approved) * tolerance_percent() / Decimal(100)
    return (
        ReconciliationStatus.MATCHED
        if abs(Decimal(returned - approved)) <= allowed
        else ReconciliationStatus.DISCREPANCY
    )


def return_document_create(
    *,
    actor: User,
    number: str,
    kind: str,
    item: str,
    lot: str,
    approved_quantity: int | None,
    unit_price: Decimal | None,
    amount: Decimal | None,
    note: str,
    now: dt.datetime,
) -> ReturnDocument:
    refuse_read_only(actor)
    errors = []
    if kind not in ReturnKind.values:
        errors.append(
            FieldError(
                "kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ReturnKind.values)}, "invalid_choice"
            )
        )
    if kind == ReturnKind.RETURN_SLIP:
        if not approved_quantity:
            errors.append(FieldError("approved_quantity", _("Give the approved quantity to be returned."), "required"))
        if unit_price is None:
            errors.append(FieldError("unit_price", _("Give the unit price."), "required"))
    elif kind == ReturnKind.CREDIT_NOTE and amount is None:
        errors.append(FieldError("amount", _("Give the amount of the allowance."), "required"))
    if errors:
        raise ValidationFailed(errors)
    if amount is None:
        assert approved_quantity is not None and unit_price is not None
        amount = (Decimal(approved_quantity) * unit_price).quantize(CENT)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number, own_work=True)
        solution = current_solution(complaint)
        if solution is None or solution.status != SolutionStatus.ACCEPTED:
            raise Conflict(
                _("Returns and allowances follow a solution the customer has accepted."), code="no_accepted_solution"
            )
        remedies = list(
            solution.remedies.filter(alternative=solution.accepted_alternative or 1, type__in=REMEDIES_FOR[kind])
        )
        if not remedies:
            raise Conflict(
                _("The accepted solution has no remedy this document carries out."),
                code="no_matching_remedy",
                field="kind",
            )
        if kind == ReturnKind.CREDIT_NOTE:
            covered = sum((r.amount for r in remedies), ZERO)
            issued = (
                ReturnDocument.objects.filter(solution=solution, kind=kind).aggregate(total=Sum("amount"))["total"]
                or ZERO
            )
            if issued + amount > covered:
                raise Conflict(
                    _("Credit notes would exceed the approved %(covered)s CNY (%(issued)s CNY issued).")
                    % {"covered": covered, "issued": issued},
                    code="exceeds_solution",
                    field="amount",
                )
        serial = ReturnDocument.objects.filter(complaint=complaint, kind=kind).count() + 1
        prefix = "CN" if kind == ReturnKind.CREDIT_NOTE else "RS"
        document = ReturnDocument.objects.create(
            complaint=complaint,
            solution=solution,
            kind=kind,
            number=f"{prefix}-{complaint.number}-{serial:02d}",
            item=item or complaint.product_name,
            lot=lot or complaint.product_lot,
            approved_quantity=approved_quantity,
            unit_price=unit_price,
            amount=amount,
            note=note,
            reconciliation=(
                ReconciliationStatus.AWAITING if kind == ReturnKind.RETURN_SLIP else ReconciliationStatus.NOT_APPLICABLE
            ),
            created_by=actor,
            created_at=now,
        )
        record_event(
            complaint=complaint,
            kind="return_document_issued",
            actor=actor,
            at=now,
            note=note,
            data={
                "document": document.number,
                "kind": kind,
                "amount": str(amount),
                "approved_quantity": approved_quantity,
            },
        )
    return document


def return_receipt_record(
    *, actor: User, number: str, document_id: int, returned_quantity: int, now: dt.datetime
) -> ReturnDocument:
    """The goods actually returned, reconciled against the approved quantity."""
    refuse_read_only(actor)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        document = ReturnDocument.objects.select_for_update().filter(complaint=complaint, pk=document_id).first()
        if document is None:
            raise NotFound(_("This complaint has no such document."))
        if document.kind != ReturnKind.RETURN_SLIP:
            raise Conflict(_("Only a return slip records returned goods."), code="not_a_return_slip")
        if document.received_at is not None:
            raise Conflict(_("The returned goods have already been recorded."), code="already_received")
        assert document.approved_quantity is not None
        document.returned_quantity = returned_quantity
        document.reconciliation = reconcile(document.approved_quantity, returned_quantity)
        document.received_by, document.received_at = actor, now
        document.save(update_fields=["returned_quantity", "reconciliation", "received_by", "received_at"])
        record_event(
            complaint=complaint,
            kind="return_received",
            actor=actor,
            at=now,
            data={
                "document": document.number,
                "approved_quantity": document.approved_quantity,
                "returned_quantity": returned_quantity,
                "reconciliation": document.reconciliation,
            },
        )
    return document


def credited_amount(document: ReturnDocument) -> Decimal:
    """What finance credits: for received returns, the returned quantity at the unit price."""
    if (
        document.kind == ReturnKind.RETURN_SLIP
        and document.returned_quantity is not None
        and document.unit_price is not None
    ):
        return (Decimal(document.returned_quantity) * document.unit_price).quantize(CENT)
    return document.amount


def can_see_finance(user: User) -> bool:
    if user.role in MANAGERS or user.role == Role.AUDITOR:
        return True
    return user.department is not None and user.department.code == FINANCE_DEPARTMENT


def finance_returns(
    *,
    user: User,
    kind: str | None = None,
    reconciliation: str | None = None,
    created_from: dt.datetime | None = None,
    created_to: dt.datetime | None = None,
) -> QuerySet[ReturnDocument]:
    """Credit notes and return slips for finance, newest first."""
    if not can_see_finance(user):
        raise PermissionDenied(_("Only finance and managers see the returns and allowances list."))
    queryset = ReturnDocument.objects.select_related("complaint", "created_by", "received_by").order_by(
        "-created_at", "-id"
    )
    filters = Q()
    if kind:
        filters &= Q(kind=kind)
    if reconciliation:
        filters &= Q(reconciliation=reconciliation)
    if created_from:
        filters &= Q(created_at__gte=created_from)
    if created_to:
        filters &= Q(created_at__lt=created_to)
    return queryset.filter(filters)
