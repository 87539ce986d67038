"""Masking of personal data for roles that may not see it."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone
    if len(digits) <= 4:
        return "*" * len(digits)
    if digits.startswith("+86") and len(digits) == 14:
        digits = digits[3:]
    keep_head = 3 if len(digits) >= 11 else max(1, len(digits) - 8)
    return digits[:keep_head] + "****" + digits[-4:]


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[:1] + "*" * max(1, len(name) - 1)
