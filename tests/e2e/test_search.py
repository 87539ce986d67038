"""The header's search box as a person uses it (issue 10, part 1): Chinese words found by their
full text, traditional and simplified alike, the matched words marked in the results. On the
product as `make run` serves it; signed in from the login page, then only clicking and typing."""

from __future__ import annotations

import random
import re

import pytest

from tests.e2e.test_helpdesk import register_by_clicking, row_numbers, unique_phone

pytestmark = pytest.mark.django_db(transaction=False)

APPLIANCES = ["洗衣机", "热水器", "电饭煲", "吸尘器", "微波炉"]


def marked_in_row(page, number: str) -> list[str]:  # type: ignore[no-untyped-def]
    row = page.locator("table.queue tbody tr").filter(has=page.get_by_role("link", name=number, exact=True))
    return row.locator("mark").all_inner_texts()


def test_a_two_character_word_typed_in_the_header_finds_the_complaint_marked(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent")
    appliance = random.choice(APPLIANCES)
    number = register_by_clicking(page, name="搜索高亮顾客", phone=unique_phone(), title=f"{appliance}漏水严重")
    search = page.get_by_role("searchbox", name="搜索投诉")
    search.fill("漏水")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=%E6%BC%8F%E6%B0%B4"))
    assert number in row_numbers(page)
    assert "漏水" in marked_in_row(page, number)  # the word is marked in the subject
    assert page.get_by_label("排序方式").input_value() == "relevance"  # most relevant first
    shot(page, "search-highlight-zh-CN")


def test_traditional_characters_typed_find_a_complaint_written_in_simplified(people, shot) -> None:  # type: ignore[no-untyped-def]
    desk = people.sign_in("agent")
    number = register_by_clicking(desk, name="繁體搜尋顧客", phone=unique_phone(), title="电视机屏幕出现条纹")
    page = people.sign_in("agent", locale="zh-TW")
    search = page.get_by_role("searchbox", name="搜尋投訴")
    search.fill("電視機屏幕")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert number in row_numbers(page)
    assert set(marked_in_row(page, number)) == {"电视机屏幕"}  # marked in the text as written, subject and snippet
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    shot(page, "search-highlight-zh-TW")
