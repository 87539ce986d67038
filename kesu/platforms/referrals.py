"""Regulator referrals (SPEC IN-1, §7): 12315, 12378 and other 监管部门转办.

A referral is registered as a complaint on the `regulator` channel whose closing deadline is
the one the body set (kesu/deadlines/external.py); the registration itself is due within
1 working day of the referral's arrival and whether it was in time is kept. The result goes
back in the body's format (the fields a 12315 反馈 asks for: 处理结果, 是否和解, 调解金额…)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.validation import Collector, parse_intake
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.deadlines import engine
from kesu.deadlines.external import deadline_set_external
from kesu.deadlines.selectors import deadline_config
from kesu.imports.services import CellError, parse_when
from kesu.platforms.models import Referral, ReferringBody

REFERRAL_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM})
# SPEC §7: a regulator's referral is registered within 1 working day of its arrival. The
# procedure presets (kesu/deadlines/policies.py) should own this figure; it is read from here.
REGISTER_WITHIN_WORKING_DAYS = 1


def may_handle_referrals(user: User) -> bool:
    return user.role in REFERRAL_ROLES


def _when(values: Mapping[str, Any], key: str, collector: Collector, *, required: bool = True) -> dt.datetime | None:
    raw = values.get(key)
    if isinstance(raw, dt.datetime):
        return raw
    text = str(raw or "").strip()
    if not text:
        if required:
            collector.add(key, _("This field is required."), "required")
        return None
    try:
        return parse_when(text)
    except CellError as exc:
        collector.add(key, str(exc), "invalid_datetime")
        return None


def register_due(arrived_at: dt.datetime) -> dt.datetime:
    return engine.deadline(
        arrived_at, engine.Rule(engine.WORKING_DAYS, REGISTER_WITHIN_WORKING_DAYS), deadline_config().calendar
    )


def referral_register(*, actor: User, values: Mapping[str, Any], now: dt.datetime) -> Referral:
    """Register a referral and its complaint. Every problem is reported at once; nothing is
    stored when any field is wrong."""
    if not may_handle_referrals(actor):
        raise PermissionDenied(_("Your role may not register referrals."))
    c = Collector()
    body = c.choice(values, "body", "body", ReferringBody, required=True) or ""
    body_name = c.text(values, "body_name", "body_name", max_length=120)
    reference = c.text(values, "reference", "reference", max_length=80, required=True)
    arrived_at = _when(values, "arrived_at", c)
    due_at = _when(values, "due_at", c)
    if arrived_at and arrived_at > now + dt.timedelta(minutes=5):
        c.add("arrived_at", _("The time received cannot be in the future."), "future")
    if arrived_at and due_at and due_at <= arrived_at:
        c.add("due_at", _("The deadline must come after the referral arrived."), "before_start")
    if body and reference and Referral.objects.filter(body=body, reference=reference).exists():
        existing = Referral.objects.select_related("complaint").get(body=body, reference=reference)
        c.add(
            "reference",
            _("This referral is already registered as complaint %(number)s.") % {"number": existing.complaint.number},
            "duplicate",
        )
    payload: dict[str, Any] = {
        "channel": "regulator",
        "customer": {
            "name": values.get("customer_name", ""),
            "phone": values.get("customer_phone", ""),
            "email": values.get("customer_email", ""),
        },
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "demand": values.get("demand", ""),
        "amount_claimed": values.get("amount_claimed", ""),
        "product": {"order_no": values.get("order_no", ""), "name": values.get("product_name", "")},
        "received_at": arrived_at.isoformat() if arrived_at else None,
        "external_ref": f"{body}:{reference}"[:100] if body and reference else "",
    }
    intake_errors: list[FieldError] = []
    try:
        parse_intake(payload, now=now)
    except ValidationFailed as failure:
        intake_errors = [
            FieldError(_FIELD_NAMES.get(e.field or "", e.field), e.message, e.code)
            for e in failure.errors
            if e.field != "received_at"  # reported on arrived_at above
        ]
    errors = c.errors + intake_errors
    if errors:
        raise ValidationFailed(errors)
    assert arrived_at is not None and due_at is not None
    with transaction.atomic():
        complaint = complaint_register(actor=actor, payload=payload, now=now)
        due_register = register_due(arrived_at)
        referral = Referral.objects.create(
            complaint=complaint,
            body=body,
            body_name=body_name,
            reference=reference,
            arrived_at=arrived_at,
            due_at=due_at,
            register_due=due_register,
            registered_at=now,
            registered_on_time=now <= due_register,
            registered_by=actor,
        )
        deadline_set_external(
            complaint=complaint,
            kind="close",
            due_at=due_at,
            source=body,
            reference=reference,
            actor=actor,
            now=now,
        )
        record_event(
            complaint=complaint,
            kind="referral_registered",
            actor=actor,
            at=now,
            data={
                "body": body,
                "reference": reference,
                "arrived_at": timezone.localtime(arrived_at).isoformat(),
                "register_due": timezone.localtime(due_register).isoformat(),
                "on_time": referral.registered_on_time,
            },
        )
    return referral


_FIELD_NAMES = {
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "product.order_no": "order_no",
    "product.name": "product_name",
}


def referral_report(*, actor: User, referral_id: int, values: Mapping[str, Any], now: dt.datetime) -> Referral:
    """Record the report back to the referring body (what the printable reply shows)."""
    if not may_handle_referrals(actor):
        raise PermissionDenied(_("Your role may not report on referrals."))
    c = Collector()
    result = c.text(values, "result", "result", max_length=2000, required=True)
    settled_raw = str(values.get("settled", "")).strip().lower()
    settled: bool | None = None
    if settled_raw in ("yes", "true", "1"):
        settled = True
    elif settled_raw in ("no", "false", "0"):
        settled = False
    else:
        c.add("settled", _("Say whether the parties settled."), "required")
    amount: Decimal | None = c.amount(values, "settlement_amount", "settlement_amount")
    refusal = c.text(values, "refusal_reason", "refusal_reason", max_length=2000)
    if settled is False and not refusal:
        c.add("refusal_reason", _("Say why no settlement was reached."), "required")
    contact_person = c.text(values, "contact_person", "contact_person", max_length=80, required=True)
    contact_phone = c.text(values, "contact_phone", "contact_phone", max_length=40, required=True)
    c.raise_if_any()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .filter(pk=referral_id, complaint__in=visible_complaints(actor))
            .select_related("complaint")
            .first()
        )
        if referral is None:
            raise NotFound(_("No referral has this number."))
        referral.result, referral.settled, referral.settlement_amount = result, settled, amount if settled else None
        referral.refusal_reason = "" if settled else refusal
        referral.contact_person, referral.contact_phone = contact_person, contact_phone
        referral.reported_at, referral.reported_by = now, actor
        referral.save()
        record_event(
            complaint=referral.complaint,
            kind="referral_reported",
            actor=actor,
            at=now,
            note=result,
            data={"body": referral.body, "reference": referral.reference, "settled": settled},
        )
    return referral


def referrals_visible(user: User) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(complaint__in=visible_complaints(user))
        .select_related("complaint", "registered_by")
        .order_by("-arrived_at", "-id")
    )


def referral_for(*, user: User, referral_id: int) -> Referral:
    referral = referrals_visible(user).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(_("No referral has this number."))
    return referral


def complaint_of(referral: Referral) -> Complaint:
    return referral.complaint
