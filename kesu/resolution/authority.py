"""Managers' edits of the approval authority (SPEC DP-3): how much each role may approve, by
default or in one department. Every change is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import can_configure
from kesu.audit.config_changes import save_audited
from kesu.core.errors import FieldError, PermissionDenied
from kesu.resolution.models import ApprovalAuthority

AUTHORITY_FIELDS = ("role", "department", "limit")
MAX_LIMIT = Decimal("9999999999.99")


def authority_save(
    *, actor: User, authority: ApprovalAuthority | None, values: dict[str, Any], now: dt.datetime
) -> ApprovalAuthority:
    """Create or edit one row; an empty limit means unlimited."""
    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))
    row = authority or ApprovalAuthority()
    for name in AUTHORITY_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    errors: list[FieldError] = []
    if row.role not in Role.values:
        errors.append(FieldError("role", _("Choose one of the listed values."), "invalid_choice"))
    if row.limit is not None and not Decimal("0") <= row.limit <= MAX_LIMIT:
        errors.append(
            FieldError("limit", _("Give an amount of 0 or more, or leave it empty for unlimited."), "invalid")
        )
    clash = ApprovalAuthority.objects.filter(role=row.role, department=row.department).exclude(pk=row.pk)
    clashes = bool(row.role) and clash.exists()
    if clashes:
        errors.append(
            FieldError("department", _("This role already has an authority here; edit that one."), "duplicate")
        )
    return save_audited(
        actor=actor,
        instance=row,
        fields=AUTHORITY_FIELDS,
        object_type="approval_authority",
        object_id=lambda r: str(r.pk),
        now=now,
        errors=errors,
        exclude_clean=("role", "department") if clashes else (),
    )
