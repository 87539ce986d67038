"""The supervision area as a manager meets it on the served product: from sign-in, only clicking
and typing — a CAPA from a complaint, completed and verified; a quality-review sample drawn and
one complaint reviewed; the roll-up; and the configuration (SLA policy and preset, approval
authority, a category, a severity rule, a letter template refused and then saved)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)


def _nav(page, name: str) -> None:  # type: ignore[no-untyped-def]
    go(page, name, exact=True)


def test_manager_opens_completes_and_verifies_a_capa_from_a_complaint(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    page.locator("ul.tabs").get_by_role("link", name="全部投诉", exact=True).click()
    page.wait_for_url("**queue=all**")
    page.locator("table tbody tr td a").first.click()
    number = page.locator("h1").inner_text().split()[0]
    panel = page.locator(".sv-panel")
    assert "此投诉尚未关联纠正预防措施" in panel.inner_text()
    shot(page, "supervision-complaint-panel")
    panel.get_by_role("link", name="创建纠正预防措施").click()
    assert page.get_by_label("投诉编号").input_value() == number
    page.get_by_label("标题").fill("包装密封不良的纠正措施")
    page.get_by_label("发现的不合格").fill("同批次酸奶封口不严。")
    page.get_by_label("根本原因").fill("封口温度偏低。")
    page.get_by_label("纠正预防措施").fill("调整封口温度；每批抽检 20 件。")
    page.get_by_label("负责人").select_option(label="张伟 · 部门处理人")
    shot(page, "supervision-capa-new")
    page.get_by_role("button", name="创建措施").click()
    page.wait_for_url(re.compile(r"/capas/\d+/$"))
    assert "包装密封不良的纠正措施" in page.locator("h1").inner_text()
    # the owner, the quality department's handler, finds it among their CAPAs
    owner = people.sign_in("handler")
    _nav(owner, "纠正预防措施")
    assert owner.get_by_role("link", name="包装密封不良的纠正措施").count() == 1
    # a manager may report the actions done; the manager, not the owner, then verifies the effect
    page.get_by_label("已采取的措施").fill("封口温度已由 160 度调至 175 度，增加首件检验。")
    page.get_by_role("button", name="报告完成").click()
    assert "待验证" in page.locator("h1").inner_text()
    shot(page, "supervision-capa-completed")
    page.get_by_label("有效：关闭此纠正预防措施").check()
    page.get_by_label("效果验证").fill("连续三批抽检合格。")
    page.get_by_role("button", name="记录验证结果").click()
    assert "已验证有效" in page.locator("h1").inner_text()
    shot(page, "supervision-capa-verified")
    page.get_by_role("link", name=number).first.click()
    assert "包装密封不良的纠正措施" in page.locator(".sv-panel").inner_text()
    _nav(page, "纠正预防措施")
    page.get_by_role("link", name="已验证", exact=True).click()
    assert "包装密封不良的纠正措施" in page.locator("table").inner_text()
    shot(page, "supervision-capa-list")


def test_manager_draws_a_sample_reviews_one_and_opens_the_rollup(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    _nav(page, "质量抽检")
    shot(page, "supervision-samples")
    page.get_by_label("样本量").fill("2")
    page.get_by_role("button", name="抽取样本").click()
    page.wait_for_url(re.compile(r"/review/\d+/$"))
    first = page.locator(".sv-review").first
    first.get_by_label("评分（0–100）").fill("150")
    first.get_by_label("发现").fill("答复及时，记录完整。")
    first.get_by_role("button", name="记录抽检结果").click()
    first = page.locator(".sv-review").first
    assert "0" in first.locator(".errorlist").inner_text()
    assert first.get_by_label("发现").input_value() == "答复及时，记录完整。"
    first.get_by_label("评分（0–100）").fill("90")
    first.get_by_role("button", name="记录抽检结果").click()
    assert "90 分" in page.locator(".sv-review.done").first.inner_text()
    shot(page, "supervision-sample")
    _nav(page, "责任汇总")
    page.get_by_role("button", name="查看").click()
    assert page.get_by_role("heading", name="按部门").is_visible()
    assert page.get_by_role("heading", name="按人员").is_visible()
    shot(page, "supervision-rollup")


def _settings(page, section: str) -> None:  # type: ignore[no-untyped-def]
    _nav(page, "配置")
    page.get_by_role("link", name=re.compile(section)).first.click()


def test_manager_edits_the_configuration(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    _nav(page, "配置")
    shot(page, "supervision-settings")
    # an SLA policy and a preset
    _settings(page, "时限")
    two_days = page.get_by_role("link", name=re.compile("编辑 答复顾客 2 工作日"))
    before = two_days.count()  # the 加急 default already replies in 2 working days
    page.get_by_role("link", name=re.compile("编辑 答复顾客 3 工作日")).first.click()
    page.get_by_label("时长（单位数）").fill("0")
    page.get_by_role("button", name="保存").click()
    assert page.locator("#id_amount_error").is_visible()
    shot(page, "supervision-settings-sla-refused")
    page.get_by_label("时长（单位数）").fill("2")
    page.get_by_role("button", name="保存").click()
    assert "SLA 时限规则已保存" in page.locator(".messages").inner_text()
    assert two_days.count() == before + 1
    page.locator(".sv-preset", has_text="12315").first.get_by_role("button", name="启用").click()
    assert "已启用" in page.locator(".sv-preset", has_text="12315").first.inner_text()
    shot(page, "supervision-settings-sla")
    # approval authority
    _settings(page, "核决权限")
    page.get_by_role("link", name=re.compile("编辑 当班主管")).first.click()
    page.get_by_label("限额（元）").fill("150")
    page.get_by_role("button", name="保存").click()
    assert "¥150.00" in page.locator("table").inner_text()
    shot(page, "supervision-settings-authority")
    # a category
    _settings(page, "投诉类别")
    page.get_by_role("link", name="编辑 店内受伤").click()
    page.get_by_label("名称（英文）").fill("Injury in the store")
    page.get_by_role("button", name="保存").click()
    assert "类别已保存" in page.locator(".messages").inner_text()
    shot(page, "supervision-settings-categories")
    # a severity rule
    _settings(page, "严重程度规则")
    page.get_by_role("link", name=re.compile("编辑 扬言曝光")).click()
    page.get_by_label("社交媒体").check()
    keywords = page.get_by_label("关键词（简体中文）")
    keywords.fill(keywords.input_value() + "\n上热搜")
    page.get_by_role("button", name="保存").click()
    page.locator(".messages").wait_for()
    shot(page, "supervision-settings-severity")
    # the table shortens a long keyword list ("…"): the rule's page shows the keyword kept
    page.get_by_role("link", name=re.compile("编辑 扬言曝光")).click()
    assert "上热搜" in page.get_by_label("关键词（简体中文）").input_value()
    assert page.get_by_label("社交媒体").is_checked()
    # a letter template: refused with the error by the field and the typed text kept, then saved
    _settings(page, "函件模板")
    page.get_by_role("link", name="编辑 致歉函 简体中文").click()
    body = page.get_by_label("正文")
    typed = body.input_value() + "\n您的密码：{{ password }}"
    body.fill(typed)
    page.get_by_role("button", name="保存").click()
    assert "{{ password }}" in page.locator("#id_body_error").inner_text()
    assert page.get_by_label("正文").input_value() == typed
    shot(page, "supervision-settings-letter-refused")
    page.get_by_label("正文").fill(typed.replace("\n您的密码：{{ password }}", "\n投诉编号：{{ number }}"))
    page.get_by_role("button", name="保存").click()
    assert "函件模板已保存" in page.locator(".messages").inner_text()
    shot(page, "supervision-settings-letters")


@pytest.mark.parametrize(
    ("locale", "capa", "configuration"), [("zh-TW", "糾正預防措施", "配置"), ("en", "CAPA", "Configuration")]
)
def test_the_pages_in_traditional_chinese_and_english(people, shot, locale, capa, configuration) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager", locale=locale)
    go(page, capa, exact=True)
    shot(page, f"supervision-capas-{locale}")
    go(page, configuration, exact=True)
    page.locator(".sv-section").nth(0).click()
    shot(page, f"supervision-settings-sla-{locale}")
    go(page, configuration, exact=True)
    page.locator(".sv-section").nth(4).click()
    page.locator("table a").first.click()
    shot(page, f"supervision-settings-letter-{locale}")
