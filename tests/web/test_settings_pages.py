"""配置: the configuration pages managers own. Each change is audited; refusals write nothing;
a refused form keeps what was typed with the message by the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.audit.models import AuditRecord
from kesu.deadlines.models import DeadlineKind, DeadlineSettings, RegulatoryPreset, SlaPolicy
from kesu.notifications.models import LetterTemplate
from kesu.resolution.models import ApprovalAuthority
from kesu.triage.models import Category, SeverityRule

pytestmark = pytest.mark.django_db

PAGES = [
    "/settings/",
    "/settings/sla/",
    "/settings/sla/new/",
    "/settings/authority/",
    "/settings/authority/new/",
    "/settings/categories/",
    "/settings/categories/new/",
    "/settings/severity/",
    "/settings/severity/new/",
    "/settings/letters/",
]


def _rows() -> dict[str, object]:
    return {
        "policies": list(SlaPolicy.objects.order_by("id").values()),
        "presets": list(RegulatoryPreset.objects.order_by("id").values()),
        "authority": list(ApprovalAuthority.objects.order_by("id").values()),
        "categories": list(Category.objects.order_by("id").values()),
        "rules": list(SeverityRule.objects.order_by("id").values()),
        "letters": list(LetterTemplate.objects.order_by("id").values()),
        "audit": AuditRecord.objects.count(),
    }


@pytest.mark.parametrize("role", ["manager", "gm", "admin"])
def test_managers_open_every_configuration_page(as_user, role):
    client = as_user(role)
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    letter = LetterTemplate.objects.first()
    assert client.get(f"/settings/letters/{letter.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_other_roles_get_403_and_their_posts_write_nothing(as_user, role):
    client = as_user(role)
    before = _rows()
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    policy, letter = SlaPolicy.objects.first(), LetterTemplate.objects.first()
    assert (
        client.post(f"/settings/sla/{policy.pk}/", {"kind": policy.kind_id, "unit": "hours", "amount": "5"}).status_code
        == 403
    )
    assert client.post("/settings/sla/preset/cn_market_12315/", {"enabled": "1"}).status_code == 403
    assert client.post(f"/settings/letters/{letter.pk}/", {"subject": "x", "body": "y"}).status_code == 403
    assert client.post("/settings/authority/new/", {"role": "agent", "limit": "999"}).status_code == 403
    assert _rows() == before


def _policy_data(policy: SlaPolicy, **overrides: str) -> dict[str, str]:
    data = {
        "kind": str(policy.kind_id),
        "name": policy.name,
        "amount": str(policy.amount),
        "unit": policy.unit,
        "by_time": "",
        "severity": policy.severity,
        "urgency": policy.urgency,
        "channel": policy.channel,
        "category": "",
        "overseas": "" if policy.overseas is None else str(policy.overseas).lower(),
        "active": "on" if policy.active else "",
    }
    data.update(overrides)
    return data


def test_editing_an_sla_policy_is_audited_and_reloads_the_configuration(as_user):
    policy = SlaPolicy.objects.get(kind__code="reply", severity="", urgency="", overseas=None)
    version = DeadlineSettings.objects.get().version
    response = as_user("manager").post(f"/settings/sla/{policy.pk}/", _policy_data(policy, amount="2"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.amount == 2
    record = AuditRecord.objects.get(action="sla_policy.update")
    assert (record.actor, record.data["changed"], record.data["before"]["amount"]) == ("manager", ["amount"], 3)
    assert DeadlineSettings.objects.get().version != version


def test_a_refused_sla_policy_keeps_the_typed_values_and_writes_nothing(as_user):
    policy = SlaPolicy.objects.get(kind__code="reply", severity="", urgency="", overseas=None)
    before = _rows()
    response = as_user("manager").post(
        f"/settings/sla/{policy.pk}/",
        _policy_data(policy, amount="0", name="我的新名称", unit="hours", by_time="15:30"),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "amount" in errors and "by_time" in errors
    assert "我的新名称" in response.content.decode()
    assert _rows() == before


def test_switching_a_preset_on_is_audited(as_user):
    assert as_user("manager").post("/settings/sla/preset/cn_market_12315/", {"enabled": "1"}).status_code == 302
    assert RegulatoryPreset.objects.get(code="cn_market_12315").enabled
    assert AuditRecord.objects.filter(action="regulatory_preset.enable", object_id="cn_market_12315").count() == 1


def test_approval_authority_per_role_and_department_is_audited_and_unique(as_user):
    manager = as_user("manager")
    row = ApprovalAuthority.objects.get(role="supervisor", department=None)
    assert (
        manager.post(
            f"/settings/authority/{row.pk}/", {"role": "supervisor", "department": "", "limit": "150.00"}
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.limit == Decimal("150.00")
    assert AuditRecord.objects.filter(action="approval_authority.update", object_id=str(row.pk)).count() == 1
    before = _rows()
    response = manager.post("/settings/authority/new/", {"role": "supervisor", "department": "", "limit": "80"})
    assert response.status_code == 422 and "department" in response.context["form"].errors
    assert 'value="80"' in response.content.decode()
    assert _rows() == before


def test_a_sub_category_gets_its_level_and_the_code_must_extend_the_parent(as_user):
    manager = as_user("manager")
    parent = Category.objects.get(code="logistics.late")
    data = {
        "parent": str(parent.pk),
        "code": "late.wrong",
        "name_zh_hans": "节假日延误",
        "name_zh_hant": "節假日延誤",
        "name_en": "Holiday delay",
        "department": "",
        "active": "on",
    }
    before = _rows()
    response = manager.post("/settings/categories/new/", data)
    assert response.status_code == 422 and "code" in response.context["form"].errors
    assert "节假日延误" in response.content.decode()
    assert _rows() == before
    assert manager.post("/settings/categories/new/", {**data, "code": "logistics.late.holiday"}).status_code == 302
    created = Category.objects.get(code="logistics.late.holiday")
    assert (created.level, created.parent) == (3, parent)
    assert AuditRecord.objects.filter(action="category.create", object_id="logistics.late.holiday").exists()


def test_renaming_a_category_keeps_its_code(as_user):
    category = Category.objects.get(code="logistics.late")
    response = as_user("manager").post(
        f"/settings/categories/{category.pk}/",
        {
            "name_zh_hans": "交货延迟",
            "name_zh_hant": category.name_zh_hant,
            "name_en": "Late delivery",
            "department": "",
            "active": "on",
            "code": "hacked",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.code, category.name_zh_hans) == ("logistics.late", "交货延迟")
    assert AuditRecord.objects.get(action="category.update").data["changed"] == ["name_zh_hans"]


def test_a_severity_rule_takes_channels_by_label_and_is_audited(as_user):
    rule = SeverityRule.objects.get(code="threat_public")
    data = {
        "name": rule.name,
        "severity": "serious",
        "keywords_zh_hans": rule.keywords_zh_hans + "\n热搜榜",
        "keywords_zh_hant": rule.keywords_zh_hant,
        "keywords_en": rule.keywords_en,
        "channels": ["social"],
        "active": "on",
    }
    assert as_user("manager").post(f"/settings/severity/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert (rule.severity, rule.channels, "热搜榜" in rule.keywords()) == ("serious", "social", True)
    record = AuditRecord.objects.get(action="severity_rule.update")
    assert set(record.data["changed"]) == {"severity", "keywords_zh_hans", "channels"}


def test_an_invalid_letter_template_shows_the_error_by_the_field_and_keeps_the_text(as_user):
    letter = LetterTemplate.objects.get(kind="apology", language="zh-hans")
    before = _rows()
    typed = "尊敬的{{ customer_name }}：您的密码是 {{ password }}"
    response = as_user("manager").post(f"/settings/letters/{letter.pk}/", {"subject": letter.subject, "body": typed})
    assert response.status_code == 422
    assert "{{ password }}" in response.context["form"].errors["body"][0]
    html = response.content.decode()
    assert "您的密码是 {{ password }}" in html and 'id="id_body_error"' in html
    assert _rows() == before


def test_a_valid_letter_template_is_saved_with_a_new_version_and_audited(as_user):
    letter = LetterTemplate.objects.get(kind="apology", language="zh-hans")
    response = as_user("manager").post(
        f"/settings/letters/{letter.pk}/", {"subject": "致歉：{{ number }}", "body": letter.body}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.subject, letter.version) == ("致歉：{{ number }}", 2)
    assert AuditRecord.objects.filter(action="letter_template.update", actor="manager").count() == 1


def test_lists_show_labels_not_codes(as_user):
    html = as_user("manager").get("/settings/sla/").content.decode()
    assert "答复顾客" in html and "工作日" in html and "reply_due" not in html
    assert DeadlineKind.objects.filter(code="reply").exists()
    categories = as_user("manager").get("/settings/categories/").content.decode()
    assert "店内受伤" in categories and "safety.injury_on_premises" not in categories
