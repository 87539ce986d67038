"""Parsing and validating what a caller sends, field by field, in the caller's language.

Shared by the API, the staff forms and the portal so the rules live in one place. Every
problem is collected, so a form can show all of them at once; nothing is stored on failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kesu.complaints.models import Channel
from kesu.core.errors import FieldError, ValidationFailed
from kesu.core.money import parse_amount
from kesu.core.reference import remembered
from kesu.customers.services import normalize_email, normalize_phone
from kesu.triage.models import Category, Severity, Urgency

FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass
class IntakeData:
    channel: str
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    description: str
    received_at: dt.datetime
    title: str = ""
    category: Category | None = None
    severity: str | None = None
    urgency: str = Urgency.NORMAL
    product_name: str = ""
    product_sku: str = ""
    product_lot: str = ""
    order_no: str = ""
    product_quantity: int | None = None
    delivery_date: dt.date | None = None
    sample_kept: bool = False
    location: str = ""
    demand: str = ""
    amount_claimed: Decimal | None = None
    overseas: bool = False
    external_ref: str = ""
    related_to: str = ""
    settlement: dict[str, str] = field(default_factory=dict)
    language: str = ""


class Collector:
    """Accumulates field errors while values are read."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, name: str | None, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(name, message, code))

    def text(self, data: Mapping[str, Any], key: str, name: str, *, max_length: int, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(name, _("This field is required."), "required")
            return ""
        if not isinstance(value, str):
            self.add(name, _("Enter text."), "type")
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.add(
                name,
                _("Enter at most %(max)d characters (it has %(length)d).") % {"max": max_length, "length": len(value)},
                "max_length",
            )
            return ""
        if "\x00" in value:
            self.add(name, _("The text contains invalid characters."), "invalid_characters")
            return ""
        return value

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        name: str,
        choices: type,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = data.get(key)
        if value in (None, ""):
            if required:
                self.add(name, _("This field is required."), "required")
            return default
        allowed = [c.value for c in choices]  # type: ignore[attr-defined]
        if value not in allowed:
            self.add(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}, "invalid_choice")
            return default
        return str(value)

    def boolean(self, data: Mapping[str, Any], key: str, name: str) -> bool:
        value = data.get(key, False)
        if value in (None, ""):
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "on", "1", "0"}:
            return value.lower() in {"true", "on", "1"}
        self.add(name, _("Enter true or false."), "type")
        return False

    def amount(self, data: Mapping[str, Any], key: str, name: str) -> Decimal | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            self.add(name, _("Enter an amount such as 128.50."), "invalid_amount")
            return None
        # JSON numbers are taken as written (12.5 → 12.50; 12.345 is refused for its third place),
        # as the existing contract tests require; digits other than 0–9 are refused (docs/input.md).
        if isinstance(value, str) and any(ch.isdigit() and not ch.isascii() for ch in value):
            self.add(name, _("Enter the amount with the digits 0–9 (half-width), e.g. 128.50."), "amount_digits")
            return None
        try:
            return parse_amount(value)
        except ValueError as exc:
            reason = str(exc)
            if reason == "negative":
                self.add(name, _("The amount cannot be negative."), "negative_amount")
            elif reason == "more than two decimal places":
                self.add(name, _("Enter at most two decimal places."), "amount_precision")
            elif reason == "too large":
                self.add(name, _("The amount is too large."), "amount_too_large")
            else:
                self.add(name, _("Enter an amount such as 128.50."), "invalid_amount")
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _taxonomy() -> dict[str, Category]:
    """Every category by code, with its department and its parent attached (one query), so routing
    can walk up to the nearest department (DP-1) without more queries."""
    nodes = {c.pk: c for c in Category.objects.select_related("department")}
    for node in nodes.values():
        if node.parent_id is not None and node.parent_id in nodes:
            node.parent = nodes[node.parent_id]  # attach the already-loaded ancestor
    return {node.code: node for node in nodes.values()}


def category_with_ancestors(code: str) -> Category | None:
    """The active category `code` with its ancestors attached, from the taxonomy kept in memory
    under the reference version (kesu/core/reference.py)."""
    found = remembered("triage.taxonomy", _taxonomy).get(code)
    if found is None or not found.active:
        return None
    return found


def parse_timestamp(value: Any, name: str, collector: Collector) -> dt.datetime | None:
    """An aware datetime from ISO 8601 text, or None with the problem recorded."""
    parsed: dt.datetime | None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        collector.add(
            name, _("Enter a date and time in ISO 8601 form, e.g. 2026-11-02T09:30:00+08:00."), "invalid_datetime"
        )
        return None
    if parsed.tzinfo is None:
        collector.add(name, _("Give the time zone offset, e.g. +08:00."), "naive_datetime")
        return None
    return parsed


def parse_received_at(value: Any, name: str, collector: Collector, *, now: dt.datetime) -> dt.datetime:
    if value in (None, ""):
        return now
    parsed = parse_timestamp(value, name, collector)
    if parsed is None:
        return now
    if parsed > now + FUTURE_TOLERANCE:
        collector.add(name, _("The time received cannot be in the future."), "future")
        return now
    if parsed.year < 2000:
        collector.add(name, _("The time received is too far in the past."), "too_old")
        return now
    # Within FUTURE_TOLERANCE (the sender's clock a little ahead) it is the moment it reached us:
    # nothing is received later than now, and no deadline starts from a future time (docs/input.md).
    return min(parsed, now)


INTAKE_MAX_LEVEL = 3


def parse_delivery_date(value: Any, name: str, collector: Collector, *, now: dt.datetime) -> dt.date | None:
    """IN-2: the date the product was delivered (YYYY-MM-DD), not after today."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        collector.add(name, _("Enter a date as YYYY-MM-DD."), "invalid_date")
        return None
    try:
        day = dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        collector.add(name, _("Enter a date as YYYY-MM-DD."), "invalid_date")
        return None
    from django.utils import timezone

    if day > timezone.localtime(now).date():
        collector.add(name, _("The delivery date cannot be in the future."), "future")
        return None
    if day.year < 2000:
        collector.add(name, _("The delivery date is too far in the past."), "too_old")
        return None
    return day


def parse_intake(data: Mapping[str, Any], *, now: dt.datetime) -> IntakeData:
    if not isinstance(data, Mapping):
        raise ValidationFailed([FieldError(None, _("Send a JSON object."), "type")])
    c = Collector()
    channel = c.choice(data, "channel", "channel", Channel, required=True)
    customer = data.get("customer")
    if customer is None:
        customer = {}
    if not isinstance(customer, Mapping):
        c.add("customer", _("Send the customer as an object with name, phone and e-mail."), "type")
        customer = {}
    name = c.text(customer, "name", "customer.name", max_length=100, required=True)
    phone: str | None = None
    email: str | None = None
    raw_phone = customer.get("phone")
    raw_email = customer.get("email")
    if raw_phone not in (None, ""):
        if not isinstance(raw_phone, str) or len(raw_phone) > 30:
            c.add("customer.phone", _("Enter a valid phone number, e.g. 13812345678."), "invalid_phone")
        else:
            try:
                phone = normalize_phone(raw_phone)
            except ValueError:
                c.add("customer.phone", _("Enter a valid phone number, e.g. 13812345678."), "invalid_phone")
    if raw_email not in (None, ""):
        if not isinstance(raw_email, str) or len(raw_email) > 254:
            c.add("customer.email", _("Enter a valid e-mail address."), "invalid_email")
        else:
            try:
                email = normalize_email(raw_email)
            except ValueError:
                c.add("customer.email", _("Enter a valid e-mail address."), "invalid_email")
    if raw_phone in (None, "") and raw_email in (None, ""):
        c.add("customer.phone", _("Give a phone number or an e-mail address."), "contact_required")
    description = c.text(data, "description", "description", max_length=10000, required=True)
    title = c.text(data, "title", "title", max_length=200)
    received_at = parse_received_at(data.get("received_at"), "received_at", c, now=now)
    category = None
    category_code = data.get("category")
    if category_code not in (None, ""):
        if not isinstance(category_code, str):
            c.add("category", _("Unknown category."), "invalid_choice")
        else:
            category = category_with_ancestors(category_code)
            if category is None:
                c.add("category", _("Unknown category: %(code)s.") % {"code": category_code[:120]}, "invalid_choice")
            elif category.level > INTAKE_MAX_LEVEL:
                # CL-1: levels 1–3 at intake; the handler sets level 4 once the facts are verified.
                c.add(
                    "category",
                    _("At intake choose a category down to level 3; the handler sets level 4 after the investigation."),
                    "level_4_at_intake",
                )
                category = None
    severity = c.choice(data, "severity", "severity", Severity)
    urgency = c.choice(data, "urgency", "urgency", Urgency, default=Urgency.NORMAL) or Urgency.NORMAL
    product = data.get("product")
    if product is None:
        product = {}
    quantity: int | None = None
    if not isinstance(product, Mapping):
        c.add("product", _("Send the product as an object."), "type")
        product = {}
    product_name = c.text(product, "name", "product.name", max_length=200)
    product_sku = c.text(product, "sku", "product.sku", max_length=80)
    product_lot = c.text(product, "lot", "product.lot", max_length=80)
    order_no = c.text(product, "order_no", "product.order_no", max_length=80)
    raw_quantity = product.get("quantity")
    if raw_quantity not in (None, ""):
        if isinstance(raw_quantity, bool) or not isinstance(raw_quantity, int | str):
            c.add("product.quantity", _("Enter a whole number of at least 1."), "invalid_quantity")
        else:
            try:
                quantity = int(raw_quantity)
                if quantity < 1 or quantity > 10_000_000:
                    raise ValueError
            except ValueError:
                c.add("product.quantity", _("Enter a whole number of at least 1."), "invalid_quantity")
                quantity = None
    delivery_date = parse_delivery_date(product.get("delivery_date"), "product.delivery_date", c, now=now)
    sample_kept = c.boolean(data, "sample_kept", "sample_kept")
    location = c.text(data, "location", "location", max_length=200)
    demand = c.text(data, "demand", "demand", max_length=2000)
    amount_claimed = c.amount(data, "amount_claimed", "amount_claimed")
    overseas = c.boolean(data, "overseas", "overseas")
    external_ref = c.text(data, "external_ref", "external_ref", max_length=100)
    related_to = c.text(data, "related_to", "related_to", max_length=40)
    settlement: dict[str, str] = {}
    raw_settlement = data.get("settlement")
    if raw_settlement not in (None, {}, ""):
        if not isinstance(raw_settlement, Mapping):
            c.add("settlement", _("Send the settlement as an object."), "type")
        else:
            kind = raw_settlement.get("kind")
            if kind not in ("on_the_spot", "resolved_contact"):
                c.add(
                    "settlement.kind",
                    _("Choose one of: %(choices)s.") % {"choices": "on_the_spot, resolved_contact"},
                    "invalid_choice",
                )
            result = c.text(raw_settlement, "result", "settlement.result", max_length=2000, required=True)
            answer = c.text(raw_settlement, "customer_answer", "settlement.customer_answer", max_length=2000)
            settlement = {"kind": str(kind), "result": result, "customer_answer": answer}
    language = ""
    raw_language = data.get("language")
    if raw_language not in (None, ""):
        codes = [code for code, _name in settings.LANGUAGES]
        if raw_language not in codes:
            c.add("language", _("Choose one of: %(choices)s.") % {"choices": ", ".join(codes)}, "invalid_choice")
        else:
            language = str(raw_language)
    c.raise_if_any()
    assert channel is not None
    return IntakeData(
        language=language,
        channel=channel,
        customer_name=name,
        customer_phone=phone,
        customer_email=email,
        description=description,
        received_at=received_at,
        title=title,
        category=category,
        severity=severity,
        urgency=urgency,
        product_name=product_name,
        product_sku=product_sku,
        product_lot=product_lot,
        order_no=order_no,
        product_quantity=quantity,
        delivery_date=delivery_date,
        sample_kept=sample_kept,
        location=location,
        demand=demand,
        amount_claimed=amount_claimed,
        overseas=overseas,
        external_ref=external_ref,
        related_to=related_to,
        settlement=settlement,
    )
