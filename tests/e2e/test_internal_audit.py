"""A violation the handling found, reported to internal audit (SPEC §7), as a supervisor meets it on
the served product: from the queue, on the complaint page, by clicking and typing."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_supervisor_records_a_violation_and_reports_it(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("supervisor")
    page.locator("a.brand").click()
    page.locator("ul.tabs").get_by_role("link", name="全部投诉", exact=True).click()
    page.get_by_label("状态").select_option(label="调查中")
    page.wait_for_url(re.compile(r"status=investigating"))
    first = page.locator("table.queue tbody tr a[href^='/c/']").first
    number = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(rf"/c/{number}/$"))
    panel = page.locator("#violation")
    panel.locator("summary", has_text="记录违规").click()
    panel.get_by_label("发现的违规").fill("业务员未按规定告知退保损失。")
    panel.get_by_role("button", name="记录违规", exact=True).click()
    page.wait_for_selector(".messages li.success")
    assert "待报内审" in page.locator("#violation").inner_text()
    assert page.get_by_test_id("deadline-internal_audit_report").is_visible()
    panel = page.locator("#violation")
    panel.locator("summary", has_text="记录报内审").click()
    panel.get_by_role("button", name="记录报送", exact=True).click()  # no reference: refused, kept open
    assert (
        "此字段为必填项" in page.locator("#violation").inner_text() or "必填" in page.locator("#violation").inner_text()
    )
    page.locator("#violation").get_by_label("报送文号").fill("内审函〔2026〕12号")
    page.locator("#violation").get_by_role("button", name="记录报送", exact=True).click()
    page.wait_for_selector(".messages li.success")
    assert "已报内审" in page.locator("#violation").inner_text()
    shot(page, "internal-audit-reported")
