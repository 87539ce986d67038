"""The procedure rules on the served product, from sign-in, only clicking and typing: the manager
marks a complaint secret and sees it marked; a department files a formal objection (签呈) and the
GM decides it; the administrator sees the missing-calendar banner and imports next year's
schedule from a file."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)


def _nav(page, name: str) -> None:  # type: ignore[no-untyped-def]
    go(page, name, exact=True)


def test_manager_marks_a_complaint_secret(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    page.locator("ul.tabs").get_by_role("link", name="全部投诉", exact=True).click()
    page.wait_for_url("**queue=all**")
    page.locator("table tbody tr td a").first.click()
    assert page.locator("h1 [data-testid=confidentiality]").inner_text() == "一般"
    page.locator("p.secrecy-link").get_by_role("link", name="密级").click()
    page.get_by_label("密级").select_option(label="秘密")
    page.get_by_label("原因").fill("涉及供应商商业信息。")
    shot(page, "procedure-confidentiality-form")
    page.get_by_role("button", name="保存").first.click()
    assert page.locator("h1 [data-testid=confidentiality]").inner_text() == "秘密"
    shot(page, "procedure-confidentiality-shown")


def test_a_department_objects_and_the_gm_decides(people, shot) -> None:  # type: ignore[no-untyped-def]
    handler = people.sign_in("handler")
    _nav(handler, "签呈")
    handler.get_by_text("提交签呈", exact=True).click()
    handler.get_by_label(re.compile(r"^投诉")).select_option(index=1)
    handler.get_by_label("本部门的责任份额").check()
    handler.get_by_label("应负责的部门").select_option(label="物流部")
    handler.get_by_label(re.compile(r"^理由")).fill("冷链运输由物流部负责，非品质问题。")
    shot(handler, "procedure-objection-file")
    handler.get_by_role("button", name="提交此签呈").click()
    assert "冷链运输由物流部负责" in handler.locator("[data-testid=objection]").first.inner_text()
    assert "待管理层决定" in handler.locator("[data-testid=objection]").first.inner_text()
    gm = people.sign_in("gm")
    _nav(gm, "签呈")
    card = gm.locator("[data-testid=objection]").first
    card.get_by_label("同意", exact=True).check()
    card.get_by_label("决定理由").fill("经核实，同意由物流部承担。")
    shot(gm, "procedure-objection-decide")
    card.get_by_role("button", name="记录决定").click()
    card = gm.locator("[data-testid=objection]").first
    assert "已同意" in card.inner_text()
    assert "经核实" in card.inner_text()
    shot(gm, "procedure-objection-decided")


def test_admin_imports_next_years_holiday_calendar(people, shot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    year = dt.date.today().year + 1
    page = people.sign_in("admin", locale="en")
    banner = page.locator(".calendar-banner")
    if banner.count() == 0:  # more than 90 days before the new year nothing is missing yet
        pytest.skip("the next year's schedule is not due yet")
    assert str(year) in banner.inner_text()
    shot(page, "procedure-calendar-banner")
    banner.get_by_role("link", name="Import the schedule").click()
    csv = tmp_path / f"holidays-{year}.csv"
    csv.write_text(
        f"date,kind,name\n{year}-01-01,holiday,New Year\n{year}-02-06,holiday,Spring Festival\n"
        f"{year}-02-07,workday,Spring Festival make-up day\n",
        encoding="utf-8",
    )
    page.get_by_role("spinbutton", name="Year").fill(str(year))
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    assert f"The {year} calendar was imported" in page.locator(".messages").inner_text()
    assert str(year) in page.locator("table").inner_text()
    shot(page, "procedure-calendar-imported")
