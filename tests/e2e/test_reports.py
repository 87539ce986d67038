"""The reports area as a manager meets it on the served product: from sign-in, only clicking —
the indicators (a period, grouped by department, charts drawn), the ledger exported from there
and from a queue, the analysis page, the report archive; in zh-CN, zh-TW and en."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)


def _nav(page, name: str) -> None:  # type: ignore[no-untyped-def]
    go(page, name, exact=True)


def _sheet(download) -> list[list[object]]:  # type: ignore[no-untyped-def]
    with open(download.path(), "rb") as handle:
        content = handle.read()
    return [list(r) for r in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


def test_manager_reads_indicators_and_exports_the_ledger(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    _nav(page, "指标")
    assert page.locator("h1").inner_text() == "指标"
    assert "准时率" in page.locator("table.rp-table").first.inner_text()
    page.get_by_label("分组").select_option(label="部门")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**group_by=department**")
    page.locator("#chart-received svg").wait_for()
    assert page.locator("table.rp-groups tbody tr").count() >= 1
    shot(page, "reports-indicators-zh-hans")
    with page.expect_download() as exported:
        page.get_by_role("link", name="导出台账（Excel）").click()
    rows = _sheet(exported.value)
    assert rows[0][:3] == ["编号", "受理时间", "渠道"] and len(rows) > 1
    # from a queue: the whole filtered queue
    _nav(page, "工作队列")
    page.locator("ul.tabs").get_by_role("link", name="全部投诉", exact=True).click()
    page.wait_for_url("**queue=all**")
    with page.expect_download() as queue_export:
        page.get_by_role("link", name="导出整个队列（Excel）").click()
    assert len(_sheet(queue_export.value)) == len(rows)
    _nav(page, "分析")
    page.locator("#chart-pareto svg").wait_for()
    assert "原因柏拉图" in page.content()
    shot(page, "reports-analysis-zh-hans")
    _nav(page, "报表")
    assert page.locator("h1").inner_text() == "报表归档"
    page.get_by_role("button", name="订阅").first.click()
    assert page.get_by_role("button", name="取消订阅").count() == 1
    shot(page, "reports-archive-zh-hans")


def test_indicators_in_traditional_chinese_and_analysis_in_english(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager", locale="zh-TW")
    _nav(page, "指標")
    assert page.locator("h1").inner_text() == "指標"
    assert "準時率" in page.content()
    shot(page, "reports-indicators-zh-hant")
    english = people.sign_in("manager", locale="en")
    _nav(english, "Analysis")
    english.locator("#chart-trend svg").wait_for()
    assert english.locator("h1").inner_text() == "Trend and cause analysis"
    shot(english, "reports-analysis-en")
    _nav(english, "Indicators")
    assert "On-time rate" in english.content()
    shot(english, "reports-indicators-en")
