"""Managers' edits of the reason taxonomy (SPEC CL-1: four levels, dotted codes) and of the
severity rules (SPEC CL-2). Every change is audited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import can_configure
from kesu.audit.config_changes import save_audited
from kesu.complaints.models import Channel
from kesu.core.errors import FieldError, PermissionDenied
from kesu.triage.models import Category, Severity, SeverityRule, TriagePolicy

CATEGORY_FIELDS = ("code", "parent", "level", "name_zh_hans", "name_zh_hant", "name_en", "department", "active")
RULE_FIELDS = ("code", "name", "severity", "keywords_zh_hans", "keywords_zh_hant", "keywords_en", "channels", "active")
CODE_PART = re.compile(r"^[a-z0-9_]+$")


def _require_configurer(actor: User) -> None:
    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))


def category_save(*, actor: User, category: Category | None, values: dict[str, Any], now: dt.datetime) -> Category:
    """Create a category under a parent (or at the top), or edit its names, department and
    whether it is offered. An existing category keeps its code and parent: complaints, SLA
    policies and the sub-categories' codes refer to them."""
    _require_configurer(actor)
    creating = category is None
    row = category or Category()
    editable = CATEGORY_FIELDS if creating else ("name_zh_hans", "name_zh_hant", "name_en", "department", "active")
    for name in editable:
        if name in values:
            setattr(row, name, values[name])
    errors: list[FieldError] = []
    for name in ("name_zh_hans", "name_zh_hant", "name_en"):
        setattr(row, name, (getattr(row, name) or "").strip())
    if creating:
        row.code = (row.code or "").strip()
        parent = row.parent
        if parent is not None and parent.level >= 4:
            errors.append(FieldError("parent", _("The taxonomy has at most four levels."), "too_deep"))
        row.level = parent.level + 1 if parent is not None else 1
        prefix = parent.code + "." if parent is not None else ""
        last = row.code[len(prefix) :] if row.code.startswith(prefix) else ""
        if row.code and (not row.code.startswith(prefix) or not CODE_PART.match(last)):
            errors.append(
                FieldError(
                    "code",
                    _("Use lowercase letters, digits and _ after the parent's code and a dot (e.g. %(example)s).")
                    % {"example": prefix + "new_reason"},
                    "invalid",
                )
            )
    return save_audited(
        actor=actor,
        instance=row,
        fields=CATEGORY_FIELDS,
        object_type="category",
        object_id=lambda c: c.code,
        now=now,
        errors=errors,
    )


def severity_rule_save(
    *, actor: User, rule: SeverityRule | None, values: dict[str, Any], now: dt.datetime
) -> SeverityRule:
    """Create or edit a rule: keywords one per line in each language, or channels that trigger it."""
    _require_configurer(actor)
    creating = rule is None
    row = rule or SeverityRule()
    for name in RULE_FIELDS:
        if name in values and (creating or name != "code"):
            setattr(row, name, values[name])
    errors: list[FieldError] = []
    for name in ("keywords_zh_hans", "keywords_zh_hant", "keywords_en"):
        lines = [line.strip() for line in (getattr(row, name) or "").splitlines() if line.strip()]
        setattr(row, name, "\n".join(lines))
    codes = [c.strip() for c in (row.channels or "").replace("，", ",").split(",") if c.strip()]
    unknown = [c for c in codes if c not in Channel.values]
    if unknown:
        errors.append(
            FieldError("channels", _("Unknown channel: %(codes)s.") % {"codes": ", ".join(unknown)}, "invalid_choice")
        )
    row.channels = ",".join(dict.fromkeys(codes))
    if row.severity and row.severity not in Severity.values:
        errors.append(FieldError("severity", _("Choose one of the listed values."), "invalid_choice"))
    if not (row.keywords() or set(codes) - set(unknown)):
        errors.append(FieldError("keywords_zh_hans", _("Give at least one keyword or channel."), "required"))
    return save_audited(
        actor=actor,
        instance=row,
        fields=RULE_FIELDS,
        object_type="severity_rule",
        object_id=lambda r: r.code,
        now=now,
        errors=errors,
    )


POLICY_FIELDS = (
    "min_confidence",
    "duplicate_window_days",
    "duplicate_similarity",
    "risk_threshold",
    "risk_escalation_level",
    "retrain_hours",
    "serious_loss_amount",
    "serious_defect_quantity",
    "serious_nature_categories",
)


def triage_policy_save(*, actor: User, values: dict[str, Any], now: dt.datetime) -> TriagePolicy:
    """The organisation's triage policy (one row): suggestion threshold, same-matter window and
    similarity, the risk score that flags a complaint and the escalation level it is raised to."""
    from kesu.deadlines.escalation import MAX_ESCALATION_LEVEL

    _require_configurer(actor)
    row = TriagePolicy.objects.order_by("id").first() or TriagePolicy()
    for name in POLICY_FIELDS:
        if name in values and values[name] is not None:
            setattr(row, name, values[name])
    errors: list[FieldError] = []
    for name in ("min_confidence", "duplicate_similarity"):
        if not 0.0 <= float(getattr(row, name)) <= 1.0:
            errors.append(FieldError(name, _("Give a number from 0 to 1."), "invalid"))
    if not 1 <= int(row.duplicate_window_days) <= 3650:
        errors.append(FieldError("duplicate_window_days", _("Give a number of days from 1 to 3650."), "invalid"))
    if int(row.risk_escalation_level) > MAX_ESCALATION_LEVEL:
        errors.append(
            FieldError(
                "risk_escalation_level",
                _("The escalation ladder has %(n)d levels.") % {"n": MAX_ESCALATION_LEVEL},
                "invalid",
            )
        )
    if not 1 <= int(row.risk_threshold) <= 20:
        errors.append(FieldError("risk_threshold", _("Give a score from 1 to 20."), "invalid"))
    if Decimal(str(row.serious_loss_amount)) < 0:
        errors.append(FieldError("serious_loss_amount", _("The amount cannot be negative."), "invalid"))
    codes = [c.strip() for c in str(row.serious_nature_categories or "").split(",") if c.strip()]
    unknown = sorted(set(codes) - set(Category.objects.filter(code__in=codes).values_list("code", flat=True)))
    if unknown:
        errors.append(
            FieldError(
                "serious_nature_categories",
                _("Unknown category: %(code)s.") % {"code": ", ".join(unknown)},
                "unknown_value",
            )
        )
    row.serious_nature_categories = ",".join(codes)
    return save_audited(
        actor=actor,
        instance=row,
        fields=POLICY_FIELDS,
        object_type="triage_policy",
        object_id=lambda r: "triage",
        now=now,
        errors=errors,
    )
