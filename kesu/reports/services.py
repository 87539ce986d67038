"""Writes of the reports area: sales volumes (SPEC RP-2's incidence denominator)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import MANAGERS
from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed
from kesu.reports.models import SalesVolume
from kesu.triage.models import Category

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_UNITS = 10**15


def may_enter_sales_volumes(user: User) -> bool:
    return user.role in MANAGERS


def may_read_reports(user: User) -> bool:
    from kesu.accounts.models import Role
    from kesu.accounts.permissions import SUPERVISORS

    return user.role in SUPERVISORS or user.role == Role.AUDITOR


def sales_volume_set(
    *, actor: User, period: Any, units: Any, category: Any = None, now: dt.datetime
) -> tuple[SalesVolume, bool]:
    """Enter (or correct) the units sold in a month, for a top-level category or in all.
    Returns the row and whether it was created. Refuses non-managers; bad input names its field."""
    if not may_enter_sales_volumes(actor):
        raise PermissionDenied(_("Only managers enter sales volumes."))
    errors: list[FieldError] = []
    if not isinstance(period, str) or not PERIOD.match(period.strip()):
        errors.append(FieldError("period", _("Give the month as YYYY-MM, e.g. 2026-11."), "invalid"))
    elif not 1900 <= int(period.strip()[:4]) <= 2999:
        errors.append(FieldError("period", _("Enter a month between the years 1900 and 2999."), "invalid"))
    number: int | None = None
    if isinstance(units, bool) or not isinstance(units, (int, str)):
        errors.append(FieldError("units", _("Give the units sold as a whole number of 0 or more."), "invalid"))
    else:
        try:
            number = int(units)
        except ValueError:
            number = None
        if number is None or number < 0 or number > MAX_UNITS:
            errors.append(FieldError("units", _("Give the units sold as a whole number of 0 or more."), "invalid"))
    node: Category | None = None
    if category not in (None, ""):
        node = Category.objects.filter(code=str(category), level=1).first() if isinstance(category, str) else None
        if node is None:
            errors.append(FieldError("category", _("Unknown value: %(value)s.") % {"value": category}, "unknown_value"))
    if errors:
        raise ValidationFailed(errors)
    assert number is not None
    month = str(period).strip()
    with transaction.atomic():
        existing = SalesVolume.objects.select_for_update().filter(period=month, category=node).order_by().first()
        before = existing.units if existing else None
        if existing is None:
            row = SalesVolume.objects.create(
                period=month, category=node, units=number, entered_by=actor, entered_at=now
            )
        else:
            existing.units, existing.entered_by, existing.entered_at = number, actor, now
            existing.save(update_fields=["units", "entered_by", "entered_at"])
            row = existing
        audit_record(
            actor=actor,
            action=f"sales_volume.{'create' if existing is None else 'update'}",
            object_type="sales_volume",
            object_id=f"{month}:{node.code if node else '*'}",
            data={"before": before, "after": number},
            at=now,
        )
    return row, existing is None


def sales_volumes(*, limit: int = 36) -> list[SalesVolume]:
    return list(
        SalesVolume.objects.select_related("category", "entered_by").order_by("-period", "category__code")[:limit]
    )


def report_subscription_set(*, actor: User, kind: str, on: bool) -> bool:
    """Subscribe `actor` to a scheduled report's e-mail (or stop); returns whether subscribed."""
    from kesu.reports.models import ReportKind, ReportSubscription

    if not may_read_reports(actor):
        raise PermissionDenied(_("Indicators are for supervisors, managers and auditors."))
    if kind not in ReportKind.values:
        raise ValidationFailed([FieldError("kind", _("Unknown value: %(value)s.") % {"value": kind}, "unknown_value")])
    if on:
        ReportSubscription.objects.get_or_create(user=actor, kind=kind)
    else:
        ReportSubscription.objects.filter(user=actor, kind=kind).delete()
    return on
