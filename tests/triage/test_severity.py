"""Severity rules (SPEC CL-2) in zh-hans, zh-hant and English; major complaints are reported (DP-5)."""

from __future__ import annotations

import pytest

from kesu.notifications.models import OutboxMessage
from kesu.triage.models import SeverityRule
from kesu.triage.services import suggest_severity
from tests.conftest import make_user

# rule code → (zh-hans, zh-hant, English) texts that must fire it
TEXTS: dict[str, tuple[str, str, str]] = {
    "injury": ("顾客在店内摔倒受伤", "顧客在店內摔倒受傷", "The customer was injured at the entrance."),
    "food_poisoning": ("吃了贵店的盒饭后食物中毒", "吃了貴店的盒飯後上吐下瀉", "Our family had food poisoning."),
    "lost_valuables": (
        "寄存在存包处的手提包不见了",
        "寄存在存包處的手提包不見了",
        "My bag was left in your custody and is gone.",
    ),
    "media": ("我已经联系了电视台记者", "我已經聯繫了電視台記者", "A reporter from the local paper called me."),
    "regulator": ("我已经打了12315", "我已經向消費者協會反映", "I have written to the consumer association."),
    "professional_claimant": ("要求假一赔十", "要求假一賠十", "I demand tenfold compensation."),
    "court": ("我要去法院起诉你们", "我要去法院起訴你們", "I will sue the store."),
    "threat_public": ("不解决我就发微博", "不解決我就發微博", "If you ignore me I will post online."),
}
# Issue 10: a threat to go public or higher is a major criterion too (CL-2 escalation channels).
SEVERITY: dict[str, str] = {}
CASES = [
    (code, language, text)
    for code, texts in TEXTS.items()
    for language, text in zip(("zh-hans", "zh-hant", "en"), texts, strict=True)
]


@pytest.mark.parametrize(("code", "language", "text"), CASES, ids=[f"{c}-{lang}" for c, lang, _ in CASES])
def test_seeded_rule_fires(db, code, language, text):
    suggestion = suggest_severity(text=text, channel="phone")

    assert (suggestion.rule.code if suggestion.rule else None, suggestion.severity) == (
        code,
        SEVERITY.get(code, "major"),
    )


def test_plain_complaint_is_general(db):
    suggestion = suggest_severity(text="牛奶有异味，要求退款。", channel="phone")

    assert (suggestion.severity, suggestion.rule) == ("general", None)


@pytest.mark.parametrize("channel", ["regulator", "media"])
def test_channel_alone_makes_a_complaint_major(db, channel):
    suggestion = suggest_severity(text="商品价格标错", channel=channel)

    assert (suggestion.severity, suggestion.rule.code, suggestion.matched) == ("major", channel, f"channel:{channel}")


def test_sue_does_not_match_inside_issue(db):
    suggestion = suggest_severity(text="There is an issue with my invoice.", channel="email")

    assert (suggestion.severity, suggestion.rule) == ("general", None)


@pytest.mark.parametrize(
    "text", ["The staff showed poor hospitality.", "The cashier was not courteous.", "The suede jacket faded."]
)
def test_english_keyword_does_not_match_the_start_of_a_longer_word(db, text):
    assert suggest_severity(text=text, channel="email").rule is None


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("I was hurt.", "hurt"),
        ("They sued the shop.", "sue"),
        ("He got injuries.", "injuries"),
        ("Two courts ruled.", "court"),
    ],
)
def test_english_keyword_matches_its_simple_inflections(db, text, keyword):
    suggestion = suggest_severity(text=text, channel="email")

    assert (suggestion.matched or None) == keyword


def test_english_keywords_ignore_case(db):
    assert suggest_severity(text="CUSTOMER WAS INJURED", channel="email").rule.code == "injury"


def test_major_rule_wins_over_serious_rule(db):
    suggestion = suggest_severity(text="我要发微博，还要找记者", channel="phone")

    assert (suggestion.severity, suggestion.rule.code) == ("major", "media")


def test_rule_is_recorded_on_the_complaint(register):
    complaint = register(description="顾客在店内摔倒受伤")

    assert (complaint.severity, complaint.severity_source, complaint.severity_rule.code) == ("major", "rule", "injury")


def test_rule_is_recorded_in_the_timeline_event(register):
    complaint = register(description="顾客在店内摔倒受伤")

    data = complaint.events.get(kind="registered").data
    assert (data["severity"], data["severity_source"], data["severity_rule"], data["matched"]) == (
        "major",
        "rule",
        "injury",
        "受伤",
    )


def test_rule_fires_on_the_title_too(register):
    complaint = register(title="法院传票", description="收到了传票")

    assert complaint.severity_rule.code == "court"


def test_without_a_matching_rule_severity_is_general_by_default(register):
    complaint = register(description="店员态度冷淡")

    assert (complaint.severity, complaint.severity_source, complaint.severity_rule) == ("general", "default", None)


def test_explicit_severity_wins_over_the_rule(register):
    complaint = register(description="顾客在店内摔倒受伤", severity="serious")

    assert (complaint.severity, complaint.severity_source, complaint.severity_rule) == ("serious", "intake", None)


def test_explicit_severity_is_recorded_in_the_timeline_event(register):
    complaint = register(description="顾客在店内摔倒受伤", severity="serious")

    data = complaint.events.get(kind="registered").data
    assert (data["severity"], data["severity_source"]) == ("serious", "intake")


def test_regulator_channel_complaint_is_registered_major(register):
    complaint = register(channel="regulator", description="12315 转来：价格标错")

    assert (complaint.severity, complaint.severity_rule.code) == ("major", "regulator")


def test_major_complaint_notifies_the_gm_and_the_customer_service_manager_only(register, users):
    complaint = register(description="顾客在店内摔倒受伤")

    recipients = sorted(
        OutboxMessage.objects.filter(complaint=complaint).values_list("recipient_user__username", "recipient", "kind")
    )
    assert recipients == [
        ("gm", "gm@example.com", "major_complaint"),
        ("manager", "manager@example.com", "major_complaint"),
    ]


def test_major_notification_names_the_complaint(register):
    complaint = register(description="顾客在店内摔倒受伤")

    subjects = set(OutboxMessage.objects.filter(complaint=complaint).values_list("subject", flat=True))
    assert subjects == {f"重大客诉 {complaint.number}"}


def test_manager_of_another_department_is_not_notified(register, users):
    make_user("quality_manager", "manager", "quality")

    complaint = register(description="顾客在店内摔倒受伤")

    assert "quality_manager" not in set(
        OutboxMessage.objects.filter(complaint=complaint).values_list("recipient_user__username", flat=True)
    )


def test_inactive_gm_is_not_notified(register, users):
    users["gm"].is_active = False
    users["gm"].save(update_fields=["is_active"])

    complaint = register(description="顾客在店内摔倒受伤")

    assert list(
        OutboxMessage.objects.filter(complaint=complaint).values_list("recipient_user__username", flat=True)
    ) == ["manager"]


def test_general_complaint_notifies_nobody(register):
    complaint = register(description="店员态度冷淡")

    assert OutboxMessage.objects.filter(complaint=complaint).count() == 0


def test_serious_complaint_notifies_nobody(register):
    SeverityRule.objects.filter(code="threat_public").update(severity="serious")  # an organisation's choice
    complaint = register(description="不解决我就发微博")

    assert (complaint.severity, OutboxMessage.objects.filter(complaint=complaint).count()) == ("serious", 0)


def test_explicit_general_severity_on_an_injury_notifies_nobody(register):
    complaint = register(description="顾客在店内摔倒受伤", severity="general")

    assert OutboxMessage.objects.filter(complaint=complaint).count() == 0


def test_explicit_major_severity_notifies(register):
    complaint = register(description="店员态度冷淡", severity="major")

    assert OutboxMessage.objects.filter(complaint=complaint).count() == 2


def test_new_keyword_added_in_the_database_changes_the_suggestion(db):
    rule = SeverityRule.objects.get(code="injury")
    rule.keywords_zh_hans += "\n滑倒"
    rule.save()

    assert suggest_severity(text="顾客在门口滑倒", channel="phone").rule.code == "injury"


def test_deactivated_rule_no_longer_fires(db):
    SeverityRule.objects.filter(code="injury").update(active=False)

    assert suggest_severity(text="顾客在店内摔倒受伤", channel="phone").rule is None


def test_rule_severity_changed_in_the_database_is_used(register):
    SeverityRule.objects.filter(code="threat_public").update(severity="serious")

    complaint = register(description="不解决我就发微博")

    assert complaint.severity == "serious"
