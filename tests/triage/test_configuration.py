"""Managers' edits of the taxonomy and the severity rules: four levels, dotted codes, audited."""

from __future__ import annotations

import pytest

from kesu.audit.models import AuditRecord
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.triage.configuration import category_save, severity_rule_save
from kesu.triage.models import Category, SeverityRule

pytestmark = pytest.mark.django_db


def _state() -> tuple[object, ...]:
    return (
        list(Category.objects.order_by("id").values()),
        list(SeverityRule.objects.order_by("id").values()),
        AuditRecord.objects.count(),
    )


def _names(**extra: object) -> dict[str, object]:
    return {"name_zh_hans": "新原因", "name_zh_hant": "新原因", "name_en": "New reason", "active": True, **extra}


def test_a_level_four_category_and_no_fifth(users, now):
    parent = Category.objects.get(code="product_quality.food.expired")
    leaf = category_save(
        actor=users["manager"],
        category=None,
        now=now,
        values=_names(parent=parent, code="product_quality.food.expired.dairy"),
    )
    assert leaf.level == 4
    assert AuditRecord.objects.get(action="category.create").object_id == leaf.code
    before = _state()
    with pytest.raises(ValidationFailed) as error:
        category_save(
            actor=users["manager"], category=None, now=now, values=_names(parent=leaf, code=leaf.code + ".yoghurt")
        )
    assert "parent" in {e.field for e in error.value.errors}
    assert _state() == before


@pytest.mark.parametrize("code", ["logistics.Late-2", "other.x", "", "logistics."])
def test_a_sub_category_code_extends_the_parent(users, now, code):
    before = _state()
    with pytest.raises(ValidationFailed) as error:
        category_save(
            actor=users["manager"],
            category=None,
            now=now,
            values=_names(parent=Category.objects.get(code="logistics"), code=code),
        )
    assert "code" in {e.field for e in error.value.errors}
    assert _state() == before


def test_an_edit_keeps_code_and_parent(users, now):
    category = Category.objects.get(code="logistics.late")
    category_save(
        actor=users["manager"],
        category=category,
        now=now,
        values=_names(code="hacked", parent=None, name_zh_hans="交货延迟"),
    )
    category.refresh_from_db()
    assert (category.code, category.parent.code, category.name_zh_hans) == ("logistics.late", "logistics", "交货延迟")


def test_a_severity_rule_needs_a_known_channel_or_a_keyword(users, now):
    before = _state()
    with pytest.raises(ValidationFailed) as error:
        severity_rule_save(
            actor=users["manager"],
            rule=None,
            now=now,
            values={"code": "pigeon", "name": "信鸽", "severity": "major", "channels": "pigeon"},
        )
    assert {e.field for e in error.value.errors} >= {"channels", "keywords_zh_hans"}
    assert _state() == before
    rule = severity_rule_save(
        actor=users["manager"],
        rule=None,
        now=now,
        values={
            "code": "recall",
            "name": "召回",
            "severity": "major",
            "keywords_zh_hans": " 召回 \n\n下架",
            "channels": "media，media",
        },
    )
    assert (rule.keywords_zh_hans, rule.channels) == ("召回\n下架", "media")
    assert AuditRecord.objects.get(action="severity_rule.create").object_id == "recall"


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_only_managers_edit_the_taxonomy(users, now, role):
    before = _state()
    with pytest.raises(PermissionDenied):
        category_save(actor=users[role], category=Category.objects.first(), values=_names(), now=now)
    with pytest.raises(PermissionDenied):
        severity_rule_save(
            actor=users[role], rule=SeverityRule.objects.first(), values={"severity": "general"}, now=now
        )
    assert _state() == before
