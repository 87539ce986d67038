"""Helpers shared by the resolution services: role checks and reading refs. The complaint an action
acts on is found by kesu.complaints.services.access.complaint_for_action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import STAFF_ROLES
from kesu.complaints.validation import Collector
from kesu.core.errors import PermissionDenied


def require_roles(actor: User, roles: frozenset[str], message: str | None = None) -> None:
    if actor.role not in roles:
        raise PermissionDenied(message or _("Your role may not take this action."))


def department_ref(
    c: Collector, data: Mapping[str, Any], key: str, name: str, *, required: bool = False
) -> Department | None:
    """A department by code or name (API.md), or None with the problem recorded."""
    ref = c.text(data, key, name, max_length=80, required=required)
    if not ref:
        return None
    department = Department.objects.filter(code=ref).first() or Department.objects.filter(name=ref).first()
    if department is None:
        c.add(name, _("Unknown department: %(ref)s.") % {"ref": ref}, "not_found")
    return department


def user_ref(c: Collector, data: Mapping[str, Any], key: str, name: str, *, required: bool = False) -> User | None:
    """An active staff user by username, or None with the problem recorded."""
    ref = c.text(data, key, name, max_length=150, required=required)
    if not ref:
        return None
    user = User.objects.filter(username=ref, is_active=True).first()
    if user is None:
        c.add(name, _("Unknown user: %(ref)s.") % {"ref": ref}, "not_found")
    elif user.role not in STAFF_ROLES:
        c.add(name, _("An auditor cannot handle complaints."), "invalid")
        return None
    return user


def whole_number(
    c: Collector,
    data: Mapping[str, Any],
    key: str,
    name: str,
    *,
    minimum: int = 0,
    maximum: int = 10_000_000,
    required: bool = False,
) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            c.add(name, _("This field is required."), "required")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        c.add(
            name,
            _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum},
            "invalid_number",
        )
        return None
    return value
