"""Complainants: normalisation and deduplication by phone and e-mail."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction

from kesu.customers.models import Customer


def normalize_phone(raw: str) -> str:
    """E.164 form of a Chinese (default region) or international number, or ValueError."""
    text = raw.strip()
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("unparseable") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """Chinese numbers without +86 (13812345678); others in international form."""
    if not e164:
        return ""
    if e164.startswith("+86"):
        return e164[3:]
    return e164


def normalize_email(raw: str) -> str:
    text = raw.strip()
    try:
        validate_email(text)
    except DjangoValidationError as exc:
        raise ValueError("invalid") from exc
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def customer_find(*, phone: str | None, email: str | None) -> Customer | None:
    if phone:
        found = Customer.objects.filter(phone=phone).first()
        if found:
            return found
    if email:
        return Customer.objects.filter(email=email).first()
    return None


# One statement that inserts a new customer and yields, without an error (so without a savepoint
# around it), to a customer who already has the phone or the e-mail.
_INSERT_UNLESS_KNOWN = (
    "INSERT INTO customers_customer (name, phone, email, created_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


def _insert_unless_known(*, name: str, phone: str | None, email: str | None, now: dt.datetime) -> Customer | None:
    created_at = Customer._meta.get_field("created_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_UNLESS_KNOWN, [name, phone, email, created_at])
        row = cursor.fetchone()
    if row is None:
        return None
    customer = Customer(pk=row[0], name=name, phone=phone, email=email, created_at=now)
    customer._state.adding = False
    customer._state.db = connection.alias
    return customer


def customer_get_or_create(*, name: str, phone: str | None, email: str | None, now: dt.datetime) -> Customer:
    """The customer with this phone or e-mail, created if new; a new contact point is added.
    A new customer costs one statement; a known one that statement and a lookup."""
    created = _insert_unless_known(name=name, phone=phone, email=email, now=now)
    if created is not None:
        return created
    for _attempt in range(3):
        customer = customer_find(phone=phone, email=email)
        if customer is not None and not (phone and not customer.phone) and not (email and not customer.email):
            return customer  # known, nothing to add: no write, so no savepoint either
        try:
            with transaction.atomic():
                if customer is None:
                    return Customer.objects.create(name=name, phone=phone, email=email, created_at=now)
                changed = []
                if phone and not customer.phone:
                    customer.phone = phone
                    changed.append("phone")
                if email and not customer.email and not Customer.objects.filter(email=email).exists():
                    customer.email = email
                    changed.append("email")
                if changed:
                    customer.save(update_fields=changed)
                return customer
        except IntegrityError:
            continue  # a concurrent request created the same customer; find it again
    raise RuntimeError("could not deduplicate customer")
