"""The helpdesk as a person at the desk uses it, on the product as `make run` serves it: queue tabs,
sorting and paging, the header's search, the notification badge, bulk actions, canned responses.
Signed in from the login page, then only clicking and typing."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)


def row_numbers(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("table.queue tbody tr td:nth-child(2) a").all_inner_texts()


def unique_phone() -> str:
    return f"137{random.randint(10000000, 99999999)}"


def register_by_clicking(page, *, name: str, phone: str, title: str) -> str:  # type: ignore[no-untyped-def]
    """Register a phone complaint through the intake form; returns its number."""
    go(page, "登记投诉")
    page.get_by_label("投诉人姓名").fill(name)
    page.get_by_label("电话").fill(phone)
    page.get_by_label("标题").fill(title)
    page.get_by_role("textbox", name="事情经过").fill(f"{title}：顾客来电反映，要求尽快处理。")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/c/\d{6}-\d+/$"))
    return re.search(r"/c/(\d{6}-\d+)/", page.url).group(1)  # type: ignore[union-attr]


def go_to_queue(page, tab: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("a.brand").click()
    page.locator("ul.tabs").get_by_role("link", name=tab, exact=True).click()
    page.wait_for_load_state()


def test_every_queue_tab_the_sort_header_and_the_next_page_change_the_list(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("supervisor")
    tabs = page.locator("ul.tabs a")
    assert tabs.first.get_attribute("aria-current") == "page"
    assert tabs.first.inner_text() == "待我核准"  # a supervisor lands on the approvals waiting
    seen: dict[str, tuple[str, ...]] = {}
    for index in range(tabs.count()):
        label = tabs.nth(index).inner_text()
        tabs.nth(index).click()
        page.wait_for_url(re.compile(r"\?queue=\w+"))
        assert page.locator("ul.tabs a[aria-current=page]").inner_text() == label
        seen[label] = (page.locator("#results p[role=status]").inner_text(), *row_numbers(page))
    assert len(set(seen.values())) > 2, seen  # the tabs show different lists
    assert "??" not in page.url
    go_to_queue(page, "全部投诉")
    newest_first = row_numbers(page)
    assert len(newest_first) == 25
    page.locator("table.queue thead").get_by_role("link", name=re.compile("受理时间")).click()
    page.wait_for_url(re.compile(r"sort=received_at"))
    oldest_first = row_numbers(page)
    assert oldest_first != newest_first and oldest_first[0] not in newest_first[:5]
    page.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "queue=all" in page.url and "sort=received_at" in page.url  # the page link keeps the tab and sort
    second_page = row_numbers(page)
    assert second_page and not set(second_page) & set(oldest_first)
    assert "第 2 页" in page.locator("nav.pager").inner_text()
    shot(page, "helpdesk-queue-page-2-zh-CN")
    page.get_by_label("严重程度").select_option(label="重大")  # htmx refreshes the queue and the address
    page.wait_for_url(re.compile(r"severity=major"))
    # (a locator, not wait_for_function: a string predicate is eval'd, which the CSP refuses)
    expect(page.locator("table.queue tbody tr").filter(has_not_text="重大")).to_have_count(0)
    page.locator("ul.tabs").get_by_role("link", name="逾期", exact=True).click()
    page.wait_for_url(re.compile(r"queue=overdue.*severity=major|severity=major.*queue=overdue"))
    assert page.get_by_label("严重程度").input_value() == "major"  # the tab keeps the filter
    page.emulate_media(media="print")  # the print stylesheet: the table without header, tabs or forms
    assert not page.locator("header.top").is_visible()
    assert not page.locator("ul.tabs").is_visible()
    assert page.locator("table.queue").is_visible()
    shot(page, "helpdesk-queue-print-zh-CN")


@pytest.mark.parametrize(("locale", "tab"), [("zh-CN", "全部投诉"), ("zh-TW", "全部投訴"), ("en", "All complaints")])
def test_the_queue_in_each_language(people, shot, locale, tab) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent", locale=locale)
    page.locator("ul.tabs").get_by_role("link", name=tab, exact=True).click()
    page.wait_for_url(re.compile(r"queue=all"))
    assert len(row_numbers(page)) == 25
    shot(page, f"helpdesk-queue-{locale}")


def test_the_queue_on_a_phone(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("handler", mobile=True)
    assert page.locator("ul.tabs a[aria-current=page]").inner_text() == "本部门"  # a handler lands on the department
    assert page.get_by_role("searchbox", name="搜索投诉").is_visible()
    full = shot(page, "helpdesk-queue-mobile-zh-CN")
    page.screenshot(path=str(full.with_name("helpdesk-queue-mobile-top-zh-CN.png")))  # the first screen


def test_search_by_the_last_four_digits_of_a_phone_and_by_a_number(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent")
    phone = unique_phone()
    number = register_by_clicking(page, name="搜索测试顾客", phone=phone, title=f"电话尾号查找 {phone[-4:]}")
    search = page.get_by_role("searchbox", name="搜索投诉")
    search.fill(phone[-4:])
    search.press("Enter")
    page.wait_for_url(re.compile(rf"q={phone[-4:]}"))
    assert number in row_numbers(page)
    assert page.locator("ul.tabs a[aria-current=page]").inner_text() == "全部投诉"
    box = page.get_by_role("searchbox", name="搜索投诉")
    assert box.input_value() == phone[-4:]  # what was searched stays in the box, readable
    assert box.evaluate("e => getComputedStyle(e).color") != box.evaluate("e => getComputedStyle(e).backgroundColor")
    shot(page, "helpdesk-search-phone-zh-CN")
    page.get_by_role("searchbox", name="搜索投诉").fill(number)
    page.get_by_role("searchbox", name="搜索投诉").press("Enter")
    page.wait_for_url(re.compile(rf"/c/{number}/$"))
    assert number in page.locator("h1").inner_text()


def test_bulk_acknowledge_two_selected_rows(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent")
    first = register_by_clicking(page, name="批量一", phone=unique_phone(), title="批量受理一")
    second = register_by_clicking(page, name="批量二", phone=unique_phone(), title="批量受理二")
    go_to_queue(page, "我的待办")  # what the agent registered stays theirs until handed over (IN-6)
    page.get_by_label(f"选择 {first}").check()
    page.get_by_label(f"选择 {second}").check()
    page.locator(".bulk-bar").get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    status = page.locator("ul.messages").inner_text()
    assert "已对 2 件投诉执行“受理”" in status and first in status and second in status
    for number in (first, second):
        row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=number, exact=True))
        assert "已受理" in row.inner_text()
    shot(page, "helpdesk-bulk-acknowledged-zh-CN")


def test_a_bulk_assignment_lights_the_handlers_badge_until_the_list_is_opened(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    number = register_by_clicking(agent, name="徽标测试", phone=unique_phone(), title="分派后看通知")
    go_to_queue(agent, "我的待办")
    agent.get_by_label(f"选择 {number}").check()
    agent.locator(".bulk-bar").get_by_role("button", name="受理", exact=True).click()
    agent.wait_for_load_state()

    supervisor = people.sign_in("supervisor")
    go_to_queue(supervisor, "未分派")
    supervisor.get_by_label(f"选择 {number}").check()
    supervisor.locator(".bulk-assign summary").click()
    supervisor.get_by_label("部门").last.select_option(label="品质部")
    supervisor.get_by_label("处理人").select_option("handler")
    supervisor.get_by_role("button", name="分派所选投诉").click()
    supervisor.wait_for_load_state()
    assert "已对 1 件投诉执行“分派”" in supervisor.locator("ul.messages").inner_text()

    handler = people.sign_in("handler")
    badge = handler.get_by_test_id("inbox-count")
    badge.wait_for()
    assert int(badge.inner_text()) >= 1
    shot(handler, "helpdesk-badge-zh-CN")
    handler.locator("header a.inbox").click()
    handler.wait_for_url(re.compile(r"/notifications/$"))
    messages = handler.locator("section", has=handler.get_by_role("heading", name=re.compile("发给我的消息")))
    assert number in messages.inner_text()
    assert "分派给您" in messages.inner_text()
    shot(handler, "helpdesk-notifications-zh-CN")
    handler.locator("a.brand").click()
    handler.wait_for_load_state("networkidle")
    assert handler.get_by_test_id("inbox-count").count() == 0  # opened: read
    handler.locator("header a.inbox").click()
    handler.get_by_role("link", name=number).first.click()
    handler.wait_for_url(re.compile(rf"/c/{number}/$"))


def test_a_manager_keeps_a_canned_response_and_it_is_inserted_into_a_note(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    go(page, "配置")
    page.locator("main").get_by_role("link", name="话术模板").click()
    title = f"致歉话术 {random.randint(1000, 9999)}"
    body = "非常抱歉给您带来不便，我们会尽快处理并回复您。"
    form = page.locator("form", has=page.get_by_role("button", name="保存"))
    form.get_by_label("标题").fill(title)
    form.get_by_label("用途").select_option(label="备注")
    form.get_by_label("正文").fill(body)
    form.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "话术模板已保存。" in page.locator("ul.messages").inner_text()
    assert title in page.locator("table").inner_text()
    shot(page, "helpdesk-canned-zh-CN")

    go_to_queue(page, "全部投诉")
    page.locator(".bulk-assign summary").click()
    note = page.locator(".bulk-assign").get_by_label("备注（选填）")
    note.fill("已与顾客沟通。")
    picker = page.locator(".bulk-assign").get_by_label("话术模板：")
    page.locator(".bulk-assign .canned-picker[data-loaded='1']").wait_for(state="attached")
    picker.select_option(label=title)
    assert note.input_value() == "已与顾客沟通。\n" + body
    shot(page, "helpdesk-canned-inserted-zh-CN")
