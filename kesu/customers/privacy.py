"""Personal data on request (PIPL): export a customer's data, erase it (anonymise the personal
fields and contact points), with a legal hold for complaints that must be kept, and the
retention job that anonymises customers whose complaints are all past retention.

Erasure keeps the complaints (numbers, categories, amounts, timelines: records the organisation
must keep) and removes who complained: the customer's name, phone and e-mail, the contact fields
of each complaint and the addresses and bodies of messages sent to the customer. Free text the
customer wrote (the description) is kept; it is exported with the rest. Every export and
erasure leaves an audit record, without the personal data itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.audit.services import audit_record
from kesu.complaints.models import OPEN_STATUSES, TERMINAL_STATUSES, Complaint
from kesu.complaints.search import complaint_reindex
from kesu.core.errors import Conflict, NotFound, PermissionDenied
from kesu.customers.models import Customer
from kesu.customers.services import display_phone
from kesu.notifications.models import OutboxMessage, OutboxStatus

PRIVACY_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Hold:
    number: str
    reason: str
    until: dt.date | None  # None: while the complaint is open


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    erased_at: dt.datetime
    complaints: list[str]


def _check_actor(actor: User | None) -> None:
    if actor is not None and actor.role not in PRIVACY_ROLES:
        raise PermissionDenied(_("Only managers and administrators may export or erase personal data."))


def _customer(customer_id: int, *, lock: bool = False) -> Customer:
    query = Customer.objects.select_for_update() if lock else Customer.objects
    found = query.filter(pk=customer_id).first()
    if found is None:
        raise NotFound(_("No such customer."))
    return found


def _years_after(moment: dt.datetime, years: int) -> dt.date:
    day = timezone.localtime(moment).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _ended_at(complaint: Complaint) -> dt.datetime:
    return complaint.closed_at or complaint.updated_at


def financial(complaint: Complaint) -> bool:
    """Money changed or was claimed: an amount claimed, a remedy with an amount, a loss or
    penalty recorded, or a billing category."""
    if complaint.amount_claimed and complaint.amount_claimed > 0:
        return True
    if complaint.category_id and complaint.category and complaint.category.code.startswith("billing"):
        return True
    if complaint.solutions.filter(remedies__amount__gt=Decimal("0")).exists():
        return True
    investigation = getattr(complaint, "investigation", None)
    return bool(
        investigation is not None and ((investigation.loss_amount or 0) > 0 or (investigation.penalty_amount or 0) > 0)
    )


def _keep_until(complaint: Complaint, *, years: int) -> dt.date:
    return _years_after(_ended_at(complaint), years)


def legal_holds(customer: Customer, *, now: dt.datetime) -> list[Hold]:
    """The complaints that forbid erasing this customer now, with why."""
    today = timezone.localtime(now).date()
    holds = []
    for complaint in customer.complaints.select_related("category").order_by("received_at", "id"):
        if complaint.status not in TERMINAL_STATUSES:
            holds.append(
                Hold(
                    complaint.number,
                    _("Complaint %(number)s is still being handled.") % {"number": complaint.number},
                    None,
                )
            )
            continue
        if financial(complaint):
            years = settings.KESU_FINANCIAL_RETENTION_YEARS
            until = _keep_until(complaint, years=years)
            if today < until:
                holds.append(
                    Hold(
                        complaint.number,
                        _(
                            "Complaint %(number)s involves money and must be kept until %(date)s "
                            "(%(years)d years after it ended)."
                        )
                        % {"number": complaint.number, "date": until.isoformat(), "years": years},
                        until,
                    )
                )
    return holds


def customer_export(*, actor: User | None, customer_id: int, now: dt.datetime) -> dict[str, Any]:
    """Everything Kesu holds about the customer, as JSON-ready data (audited)."""
    _check_actor(actor)
    customer = _customer(customer_id)
    complaints = []
    for c in customer.complaints.select_related("category").order_by("received_at", "id"):
        complaints.append(
            {
                "number": c.number,
                "status": c.status,
                "channel": c.channel,
                "received_at": c.received_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                "category": c.category.code if c.category else None,
                "title": c.title,
                "description": c.description,
                "contact_name": c.contact_name,
                "contact_phone": display_phone(c.contact_phone) or c.contact_phone,
                "contact_email": c.contact_email,
                "location": c.location,
                "demand": c.demand,
                "amount_claimed": str(c.amount_claimed) if c.amount_claimed is not None else None,
                "product": {"name": c.product_name, "sku": c.product_sku, "lot": c.product_lot, "order_no": c.order_no},
                "result": c.result,
                "language": c.language,
                "timeline": [
                    {"kind": e.kind, "at": e.at.isoformat(), "status": e.to_status, "note": e.note}
                    for e in c.events.filter(internal=False).order_by("at", "id")
                ],
                "messages": [
                    {
                        "channel": m.channel,
                        "recipient": m.recipient,
                        "subject": m.subject,
                        "body": m.body,
                        "created_at": m.created_at.isoformat(),
                        "status": m.status,
                    }
                    for m in c.notifications.filter(recipient_user__isnull=True).order_by("created_at", "id")
                ],
            }
        )
    data = {
        "exported_at": now.isoformat(),
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "phone": display_phone(customer.phone),
            "email": customer.email or "",
            "created_at": customer.created_at.isoformat(),
            "erased_at": customer.erased_at.isoformat() if customer.erased_at else None,
        },
        "complaints": complaints,
    }
    audit_record(
        actor=actor,
        action="customer.personal_data_exported",
        object_type="customer",
        object_id=str(customer.pk),
        data={"complaints": [c["number"] for c in complaints]},
        at=now,
    )
    return data


def customer_erase(*, actor: User | None, customer_id: int, now: dt.datetime, reason: str = "request") -> Erasure:
    """Anonymise the customer and their complaints' contact data, unless a legal hold applies
    (Conflict naming the complaint and until when). Nothing is written when refused."""
    _check_actor(actor)
    with transaction.atomic():
        customer = _customer(customer_id, lock=True)
        holds = legal_holds(customer, now=now)
        if holds:
            raise Conflict(
                _("Personal data cannot be erased yet: %(reason)s") % {"reason": holds[0].reason}, code="legal_hold"
            )
        complaints = list(customer.complaints.select_for_update().order_by("id"))
        for complaint in complaints:
            complaint.contact_name = complaint.contact_phone = complaint.contact_email = ""
            complaint.save(update_fields=["contact_name", "contact_phone", "contact_email"])
            complaint_reindex(complaint)  # the name leaves the search index (and the phone its key)
        to_customer = OutboxMessage.objects.filter(complaint__customer=customer, recipient_user__isnull=True)
        to_customer.filter(status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED, last_error="recipient erased (personal data erasure)"
        )
        messages = to_customer.update(recipient="", body="")
        customer.name = ""
        customer.phone = customer.email = None
        customer.erased_at = now
        customer.save(update_fields=["name", "phone", "email", "erased_at"])
        numbers = [c.number for c in complaints]
        audit_record(
            actor=actor,
            action="customer.personal_data_erased",
            object_type="customer",
            object_id=str(customer.pk),
            data={"reason": reason, "complaints": numbers, "messages": messages},
            at=now,
        )
    return Erasure(customer_id=customer.pk, erased_at=now, complaints=numbers)


def retention_candidates(*, now: dt.datetime) -> list[int]:
    """Customers not yet erased whose complaints all ended more than the retention ago
    (financial ones: at least the financial retention)."""
    today = timezone.localtime(now).date()
    general = settings.KESU_RETENTION_YEARS
    money = max(general, settings.KESU_FINANCIAL_RETENTION_YEARS)
    oldest_allowed = now - dt.timedelta(days=365 * general)
    query = (
        Customer.objects.filter(erased_at__isnull=True)
        .exclude(complaints__status__in=OPEN_STATUSES)
        .exclude(complaints__closed_at__gt=oldest_allowed)
        .exclude(complaints__updated_at__gt=oldest_allowed)
        .filter(complaints__isnull=False)
        .distinct()
        .order_by("pk")
    )
    chosen = []
    for customer in query.iterator(chunk_size=500):
        if all(
            today >= _keep_until(c, years=money if financial(c) else general)
            for c in customer.complaints.select_related("category")
        ):
            chosen.append(customer.pk)
    return chosen


def retention_sweep(*, now: dt.datetime) -> int:
    """The retention job: anonymise every customer whose complaints are all past retention."""
    erased = 0
    for customer_id in retention_candidates(now=now):
        try:
            customer_erase(actor=None, customer_id=customer_id, now=now, reason="retention")
        except Conflict:
            continue
        erased += 1
    return erased
