"""How a complaint is found by `q` (the API's list and the workspace's search box): exact keys
served by indexes (number, phone or its last digits, e-mail, order number, lot number) or the
words of its text. A later issue replaces `complaint_text_q` with full-text search
(jieba segmentation, traditional/simplified folding); the keys stay."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, Value, When

from kesu.complaints.models import Complaint

MIN_PHONE_DIGITS = 4
MAX_TERMS = 8
_PHONE_PUNCTUATION = re.compile(r"[\s\-().+]")


def build_search_text(complaint: Complaint) -> str:
    parts = [
        complaint.number,
        complaint.title,
        complaint.description,
        complaint.contact_name,
        complaint.product_name,
        complaint.product_sku,
        complaint.order_no,
        complaint.location,
        complaint.demand,
        complaint.external_ref,
    ]
    return " ".join(p for p in parts if p).lower()


def phone_key(phone: str | None) -> str:
    """The digits of a stored (E.164) phone, reversed: its last digits become a key prefix."""
    return "".join(ch for ch in (phone or "") if ch.isdigit())[::-1]


def index_for_search(complaint: Complaint) -> None:
    """Fill the columns `q` finds the complaint by (called wherever a complaint is written)."""
    complaint.search_text = build_search_text(complaint)
    complaint.phone_key = phone_key(complaint.contact_phone)


def _after(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with `prefix` ("1239" → "124")."""
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


def phone_q(typed: str) -> Q | None:
    """A phone typed in full (13812345678, +86 138-1234-5678) or its last 4 or more digits."""
    digits = _PHONE_PUNCTUATION.sub("", typed)
    if len(digits) < MIN_PHONE_DIGITS or not digits.isdigit():
        return None
    prefix = digits[::-1]
    upper = _after(prefix)
    if upper is None:
        return Q(phone_key__gte=prefix, phone_key__startswith=prefix)
    # A range rather than LIKE 'prefix%': the index answers it on SQLite and PostgreSQL alike.
    return Q(phone_key__gte=prefix, phone_key__lt=upper)


def email_q(typed: str) -> Q | None:
    from kesu.customers.models import Customer
    from kesu.customers.services import normalize_email

    if "@" not in typed:
        return None
    try:
        email = normalize_email(typed)
    except ValueError:
        return None
    return Q(contact_email=email) | Q(customer_id__in=Customer.objects.filter(email=email).values("pk"))


def complaint_text_q(q: str) -> Q:
    """Every word of `q` appears in the complaint's text (title, description, name, product…)."""
    condition = Q()
    for term in q.lower().split()[:MAX_TERMS]:
        condition &= Q(search_text__contains=term)
    return condition


def complaint_key_q(q: str) -> Q:
    """The exact keys `q` may be: the number, a phone or its last digits, an e-mail, an order or lot number."""
    typed = q.strip()
    keys = Q(number=typed) | Q(order_no__in={typed, typed.upper()}) | Q(product_lot__in={typed, typed.upper()})
    for extra in (phone_q(typed), email_q(typed)):
        if extra is not None:
            keys |= extra
    return keys


def complaint_search_q(q: str) -> Q:
    """What `q` matches: any exact key, or the words of the text."""
    typed = q.strip()
    if not typed:
        return Q()
    return complaint_key_q(typed) | complaint_text_q(typed)


def may_be_key(q: str) -> bool:
    """Whether `q` can be an exact key at all: numbers, phones, e-mails, order and lot numbers are
    written in ASCII without spaces (a phone may have spaces); words of Chinese text or several
    words are not keys."""
    typed = q.strip()
    if phone_q(typed) is not None or "@" in typed:
        return True
    return typed.isascii() and not any(ch.isspace() for ch in typed)


def search_rank(q: str) -> Case:
    """Relevance for ordering: a complaint found by an exact key before one found by its words."""
    return Case(When(complaint_key_q(q), then=Value(0)), default=Value(1), output_field=IntegerField())
