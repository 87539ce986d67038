"""Managers' edits of the SLA policies and the regulatory presets (SPEC §7), each audited and
followed by a configuration version bump so every process reloads the rules. New deadlines
follow the edited rules; deadlines already running keep the rule they started with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import can_configure
from kesu.audit.config_changes import save_audited
from kesu.audit.services import audit_record
from kesu.complaints.models import Channel
from kesu.core.errors import FieldError, NotFound, PermissionDenied
from kesu.deadlines.calendar import bump_version
from kesu.deadlines.models import RegulatoryPreset, SlaPolicy, Unit
from kesu.deadlines.policies import PRESETS
from kesu.triage.models import Severity, Urgency

POLICY_FIELDS = (
    "kind",
    "name",
    "unit",
    "amount",
    "by_time",
    "severity",
    "urgency",
    "channel",
    "category",
    "overseas",
    "active",
)
DAY_UNITS = (Unit.WORKING_DAYS, Unit.CALENDAR_DAYS)


def _require_configurer(actor: User) -> None:
    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))


def sla_policy_save(*, actor: User, policy: SlaPolicy | None, values: dict[str, Any], now: dt.datetime) -> SlaPolicy:
    """Create or edit one SLA policy. `values` holds the model's fields (kind and category as rows)."""
    _require_configurer(actor)
    policy = policy or SlaPolicy()
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    policy.name = (policy.name or "").strip()
    errors: list[FieldError] = []
    if policy.amount is not None and not 1 <= policy.amount <= 10000:
        errors.append(FieldError("amount", _("Give an amount from 1 to 10,000."), "invalid"))
    if policy.by_time is not None and policy.unit not in DAY_UNITS:
        errors.append(FieldError("by_time", _("A time of day applies to working or calendar days only."), "invalid"))
    for field, allowed in (("severity", Severity.values), ("urgency", Urgency.values), ("channel", Channel.values)):
        if getattr(policy, field) and getattr(policy, field) not in allowed:
            errors.append(FieldError(field, _("Choose one of the listed values."), "invalid_choice"))
    with transaction.atomic():
        saved = save_audited(
            actor=actor,
            instance=policy,
            fields=POLICY_FIELDS,
            object_type="sla_policy",
            object_id=lambda p: str(p.pk),
            now=now,
            errors=errors,
        )
        bump_version()
    return saved


def preset_set_enabled(*, actor: User, code: str, enabled: bool, now: dt.datetime) -> RegulatoryPreset:
    """Switch a regulator's rules on or off."""
    _require_configurer(actor)
    if code not in PRESETS:
        raise NotFound(_("There is no such regulatory preset."))
    with transaction.atomic():
        preset, _created = RegulatoryPreset.objects.select_for_update().get_or_create(code=code)
        if preset.enabled == enabled:
            return preset
        preset.enabled = enabled
        preset.save(update_fields=["enabled"])
        audit_record(
            actor=actor,
            action="regulatory_preset.enable" if enabled else "regulatory_preset.disable",
            object_type="regulatory_preset",
            object_id=code,
            data={"enabled": enabled},
            at=now,
        )
        bump_version()
    return preset
