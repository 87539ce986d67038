"""Reference data every installation needs: the settings row, the built-in deadline kinds, the
regulatory presets (switched off), the SPEC §7 default policies and the official calendar
years the `chinese-calendar` package knows. Run after every `migrate` (and test-database
flush); it only adds what is missing and never overwrites an administrator's edits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from kesu.core import clock
from kesu.deadlines.calendar import calendar_load_package
from kesu.deadlines.models import DeadlineKind, DeadlineSettings, MetWhen, RegulatoryPreset, SlaPolicy
from kesu.deadlines.policies import (
    ACKNOWLEDGE,
    ACKNOWLEDGE_LIMIT,
    CALLBACK_CONTACT,
    CARRY_OUT,
    CLOSE,
    DEFAULT_POLICIES,
    INTERNAL_AUDIT_REPORT,
    INVESTIGATE,
    INVESTIGATION_REPORT,
    PRESETS,
    REGISTER,
    REPLY,
    REPORT_RESULT,
    SOLUTION_DUE,
)

BUILTIN_KIND_ROWS = (
    (ACKNOWLEDGE, "受理确认 acknowledge", MetWhen.ACKNOWLEDGED, True),
    (REPLY, "答复客户 reply", MetWhen.REPLIED, True),
    (CLOSE, "结案 close", MetWhen.CLOSED, True),
    (CALLBACK_CONTACT, "回访未接通等待回电 callback wait", MetWhen.CALLBACK_REACHED, False),
    (ACKNOWLEDGE_LIMIT, "受理确认最迟时限 acknowledge (hard limit)", MetWhen.ACKNOWLEDGED, True),
    (REGISTER, "登记 register", MetWhen.REGISTERED, True),
    (INVESTIGATE, "调查 investigate", MetWhen.INVESTIGATING, True),
    (CARRY_OUT, "落实处理方案 carry out the plan", MetWhen.RESOLVED, True),
    (REPORT_RESULT, "反馈处理结果 report the result", MetWhen.CLOSED, True),
    (SOLUTION_DUE, "落实解决方案 carry out the solution", MetWhen.RESOLVED, True),
    (INVESTIGATION_REPORT, "调查报告 investigation report", MetWhen.INVESTIGATION_DONE, True),
    (INTERNAL_AUDIT_REPORT, "违规报内审 report to internal audit", MetWhen.AUDIT_REPORTED, True),
)


def ensure_defaults() -> None:
    now = clock.now()
    with transaction.atomic():
        _settings, created = DeadlineSettings.objects.get_or_create(pk=1, defaults={"time_zone": settings.TIME_ZONE})
        kinds = {}
        for code, name, met_when, escalates in BUILTIN_KIND_ROWS:
            kinds[code], _created = DeadlineKind.objects.get_or_create(
                code=code, defaults={"name": name, "met_when": met_when, "escalates": escalates, "builtin": True}
            )
        for code in PRESETS:
            RegulatoryPreset.objects.get_or_create(code=code)
        if created and not SlaPolicy.objects.exists():
            SlaPolicy.objects.bulk_create(
                [
                    SlaPolicy(
                        kind=kinds[spec.kind],
                        name=spec.name,
                        unit=spec.rule.unit,
                        amount=spec.rule.amount,
                        by_time=spec.rule.by_time,
                        severity=spec.severity,
                        urgency=spec.urgency,
                        channel=spec.channel,
                        overseas=spec.overseas,
                    )
                    for spec in DEFAULT_POLICIES
                ]
            )
    calendar_load_package(now=now)


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if using != "default":
        return
    ensure_defaults()
