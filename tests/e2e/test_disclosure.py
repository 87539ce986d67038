"""Disclosure as a manager meets it on the served product (SPEC RP-5): from a closed complaint's page
the outcome is published (a text naming a person is refused and kept), the public register on the
portal shows it and nothing of the complaint, and the JR/T export leaves from the 信息公示 page."""

from __future__ import annotations

import io
import re
import secrets

import pytest
from openpyxl import load_workbook

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_manager_publishes_an_outcome_and_the_public_register_shows_it(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    page.locator("a.brand").click()
    page.locator("ul.tabs").get_by_role("link", name="全部投诉", exact=True).click()
    page.get_by_label("状态").select_option(label="已结案")
    page.wait_for_url(re.compile(r"status=closed"))
    first = page.locator("table.queue tbody tr a[href^='/c/']").first
    number = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(rf"/c/{number}/$"))
    panel = page.locator("#publication")
    summary = panel.get_by_label("公示摘要")
    typed = "顾客来电 13812345678 反映商品包装破损。"
    summary.fill(typed)
    panel.get_by_label("处理结果").fill("已致歉并补发商品。")
    panel.get_by_role("button", name="发布", exact=True).click()
    panel = page.locator("#publication")
    assert "请删除电话、证件或卡号" in panel.inner_text()
    assert panel.get_by_label("公示摘要").input_value() == typed  # what was typed is kept
    shot(page, "disclosure-01-refused")
    marker = secrets.token_hex(3)
    panel.get_by_label("公示摘要").fill(f"顾客反映商品包装破损（{marker}）。")
    panel.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_selector(".messages li.success")
    assert "已公示" in page.locator("#publication").inner_text()
    shot(page, "disclosure-02-published")

    go(page, "信息公示", exact=True)
    assert number in page.get_by_test_id("outcomes").inner_text()
    with page.expect_download() as exported:
        page.get_by_role("button", name="导出（Excel）").click()
    with open(exported.value.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read()), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("月份", "渠道代码（A）")
    shot(page, "disclosure-03-page")
    page.get_by_role("link", name="结果公示").click()
    page.wait_for_url(re.compile(r"/portal/outcomes/$"))
    register = page.locator("main").inner_text()
    assert marker in register and "已致歉并补发商品。" in register
    assert number not in register
    shot(page, "disclosure-04-portal")
