"""What a customer may do without an account: file a complaint and follow it by contact."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import FieldError, ValidationFailed
from kesu.customers.services import normalize_email, normalize_phone

PUBLIC_CHANNELS = ("web", "email", "social")


def public_register(*, payload: Mapping[str, Any], now: dt.datetime) -> Complaint:
    """A customer's own complaint: channel web unless they say e-mail or social, no severity,
    no settlement and no internal fields."""
    data = dict(payload)
    for internal in ("severity", "settlement", "external_ref", "related_to"):
        data.pop(internal, None)
    if data.get("channel") not in PUBLIC_CHANNELS:
        data["channel"] = "web"
    if data.get("received_at") not in (None, ""):
        raise ValidationFailed([FieldError("received_at", _("The time received is set by the system."), "forbidden")])
    return complaint_register(actor=None, payload=data, now=now)


def _same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def public_lookup(*, number: str, contact: str) -> Complaint | None:
    """The complaint when `contact` is its phone or e-mail; None for any mismatch alike."""
    complaint = Complaint.objects.select_related("customer").filter(number=number[:40]).first()
    contact = (contact or "").strip()[:254]
    candidates: list[str] = []
    try:
        candidates.append(normalize_email(contact) if "@" in contact else normalize_phone(contact))
    except ValueError:
        candidates = []
    if complaint is None or not candidates:
        return None
    given = candidates[0]
    known = [complaint.contact_phone, complaint.contact_email,
             complaint.customer.phone or "", complaint.customer.email or ""]
    matched = False
    for value in known:
        matched = _same(value, given) or matched
    return complaint if matched else None
