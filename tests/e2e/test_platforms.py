"""Imports and referrals on the served product, from sign-in by clicking and typing: a spreadsheet
uploaded, its bad row named in the preview, the good row imported with the progress bar; a
12315 referral registered, reported back and its reply printed; a batch of opinion cards typed in
from the keyboard and reconciled."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)

CSV = (
    "投诉时间,顾客姓名,电话,投诉内容,订单号,批号,渠道,外部编号\n"
    "2026-11-02 20:00,王五,13800138000,试衣间太少，排队很久,SO-1,L-7,意见单,E2E-1\n"
    "2026-11-02 20:30,赵六,12345,收银排队太久,,,电话,E2E-2\n"
)


def _hub(page, label: str = "导入与转办") -> None:  # type: ignore[no-untyped-def]
    go(page, label, exact=True)


def test_agent_imports_a_spreadsheet_after_seeing_the_bad_row(people, shot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "意见单.csv"
    path.write_text(CSV, encoding="utf-8")
    page = people.sign_in("agent")
    _hub(page)
    shot(page, "platforms-hub")
    page.get_by_role("link", name="表格导入", exact=True).click()
    page.get_by_label("表格文件（XLSX 或 CSV）").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r"/intake/import/\d+/$"))
    problems = page.locator("table.problems")
    assert "3" in problems.locator("tbody tr td").nth(0).inner_text()
    assert problems.locator("tbody tr td").nth(1).inner_text() == "电话"
    assert page.locator("table.mapping select").first.input_value() == "received_at"
    shot(page, "platforms-import-preview")
    page.get_by_role("button", name="导入 1 行").click()
    page.wait_for_url(re.compile(r"/intake/import/\d+/progress/$"))
    page.get_by_text("已完成").wait_for()
    assert page.locator("progress").get_attribute("value") == "2"
    assert "1" in page.locator("dl.counts dd.good").inner_text()
    shot(page, "platforms-import-done")
    page.get_by_role("link", name="查看投诉").click()
    assert page.get_by_text("试衣间太少").count() >= 1


def test_agent_registers_a_12315_referral_and_prints_the_reply(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent")
    _hub(page)
    page.get_by_role("link", name="监管转办", exact=True).click()
    page.get_by_role("link", name="登记转办件").click()
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    page.get_by_label("转办机构：", exact=True).select_option("12315")
    page.get_by_label("转办单位名称").fill("某区市场监督管理局")
    page.get_by_label("转办单号").fill("1231520261201000777")
    page.get_by_label("收到转办时间").fill((now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("转办机构要求的期限").fill((now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("投诉人姓名").fill("李四")
    page.get_by_label("电话：", exact=True).fill("139001")
    page.get_by_label("投诉内容：", exact=True).fill("购买的电热水壶使用一周后漏电。")
    page.get_by_role("button", name="登记转办件").click()
    # a wrong phone is named and everything typed is kept
    assert page.locator(".field.invalid").count() >= 1
    assert page.get_by_label("转办单号").input_value() == "1231520261201000777"
    shot(page, "platforms-referral-refused")
    page.get_by_label("电话：", exact=True).fill("13900139000")
    page.get_by_role("button", name="登记转办件").click()
    page.wait_for_url(re.compile(r"/intake/referrals/\d+/$"))
    assert "按时" in page.locator("dl.facts").inner_text()
    shot(page, "platforms-referral-registered")
    page.get_by_label("处理结果").fill("已为消费者办理退货退款。")
    page.get_by_label("是，已和解").check()
    page.get_by_label("调解金额（元）").fill("199.00")
    page.get_by_label("我方联系电话").fill("021-12345678")
    page.get_by_role("button", name="保存反馈并打开反馈单").click()
    page.wait_for_url(re.compile(r"/reply/$"))
    sheet = page.locator(".reply-sheet").inner_text()
    assert "1231520261201000777" in sheet and "199.00" in sheet and "是，已和解" in sheet
    shot(page, "platforms-referral-reply")


def test_opinion_cards_are_typed_in_one_after_another_and_reconciled(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent", locale="en")
    _hub(page, "Imports and referrals")
    page.get_by_role("link", name="Suggestion box", exact=True).click()
    page.get_by_label("Suggestion box").fill("Ground-floor desk")
    page.get_by_label("Cards in the box").fill("2")
    page.get_by_role("button", name="Start entering the cards").click()
    page.wait_for_url(re.compile(r"/intake/box/\d+/$"))
    assert page.get_by_label("Card number").input_value() == "1"
    page.get_by_label("Name on the card").fill("Wang Wu")
    page.get_by_label("Phone on the card").fill("13800138000")
    page.get_by_label("What the card says").fill("The fitting rooms are too few.")
    page.get_by_label("What the card says").press("Control+Enter")
    page.get_by_text("saved as complaint").wait_for()
    assert page.get_by_label("Card number").input_value() == "2"
    page.get_by_label("The card is").select_option("praise")
    page.get_by_label("What the card says").fill("Friendly staff.")
    page.get_by_label("What the card says").press("Control+Enter")
    page.get_by_text("2 of 2 cards entered").wait_for()
    page.get_by_role("button", name="Reconcile the batch").click()
    page.get_by_text("every card has been entered").wait_for()
    shot(page, "platforms-box-reconciled-en")
