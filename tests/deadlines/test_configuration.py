"""Managers' edits of SLA policies and presets: audited, the configuration reloaded, refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.audit.models import AuditRecord
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.deadlines.configuration import preset_set_enabled, sla_policy_save
from kesu.deadlines.models import DeadlineKind, DeadlineSettings, RegulatoryPreset, SlaPolicy

pytestmark = pytest.mark.django_db


def _state() -> tuple[object, ...]:
    return (
        list(SlaPolicy.objects.order_by("id").values()),
        list(RegulatoryPreset.objects.values()),
        AuditRecord.objects.count(),
        DeadlineSettings.objects.get().version,
    )


def test_a_new_policy_is_audited_and_bumps_the_version(users, now):
    version = DeadlineSettings.objects.get().version
    policy = sla_policy_save(
        actor=users["manager"],
        policy=None,
        now=now,
        values={
            "kind": DeadlineKind.objects.get(code="reply"),
            "unit": "working_days",
            "amount": 1,
            "by_time": dt.time(15, 30),
            "channel": "regulator",
            "active": True,
        },
    )
    record = AuditRecord.objects.get(action="sla_policy.create")
    assert (record.object_id, record.data["after"]["by_time"], record.data["after"]["kind"]) == (
        str(policy.pk),
        "15:30:00",
        "reply",
    )
    assert DeadlineSettings.objects.get().version != version


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"unit": "hours", "by_time": dt.time(15, 30)}, "by_time"),
        ({"severity": "huge"}, "severity"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_written(users, now, values, field):
    policy = SlaPolicy.objects.get(kind__code="reply", severity="", urgency="", overseas=None)
    before = _state()
    with pytest.raises(ValidationFailed) as error:
        sla_policy_save(actor=users["manager"], policy=SlaPolicy.objects.get(pk=policy.pk), values=values, now=now)
    assert field in {e.field for e in error.value.errors}
    assert _state() == before


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_only_managers_configure(users, now, role):
    policy = SlaPolicy.objects.first()
    before = _state()
    with pytest.raises(PermissionDenied):
        sla_policy_save(actor=users[role], policy=policy, values={"amount": 5}, now=now)
    with pytest.raises(PermissionDenied):
        preset_set_enabled(actor=users[role], code="us_cfpb", enabled=True, now=now)
    assert _state() == before


def test_switching_a_preset_is_audited_once(users, now):
    preset_set_enabled(actor=users["gm"], code="us_cfpb", enabled=True, now=now)
    preset_set_enabled(actor=users["gm"], code="us_cfpb", enabled=True, now=now)  # no change, no record
    assert RegulatoryPreset.objects.get(code="us_cfpb").enabled
    assert AuditRecord.objects.filter(object_type="regulatory_preset").count() == 1
