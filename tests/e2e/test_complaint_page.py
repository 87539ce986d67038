"""The complaint page as the desk meets it (issue 8): from sign-in, only clicking and typing, the
agent registers and acknowledges, the supervisor assigns from the grouped list, the handler starts,
records and proposes two alternatives over the supervisor's authority, the supervisor sees who may
approve, the manager approves, notes are added (for the customer and internal), the clocks are
paused and resumed. Screenshots in zh-CN, and the page in zh-TW and en."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.django_db(transaction=False)


def open_complaint(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """The header's search box: a complaint's number opens that complaint."""
    search = page.locator("#site-search-q")
    search.fill(number)
    with page.expect_navigation():
        search.press("Enter")
    page.wait_for_url(re.compile(rf"/c/{number}/$"))


def submit(page, button) -> None:  # type: ignore[no-untyped-def]
    """Click a form's button and wait for the page it leads to; no error may be shown."""
    with page.expect_navigation():
        button.click()
    errors = page.locator(".errorlist, .form-errors")
    assert errors.count() == 0, errors.all_inner_texts()


def next_step(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_test_id("next-step").inner_text()


def test_the_complaint_page_runs_the_procedure(people, shot) -> None:  # type: ignore[no-untyped-def]
    title = f"页面测试 {uuid.uuid4().hex[:8]}"

    # The agent registers the complaint and acknowledges it.
    agent = people.sign_in("agent")
    agent.get_by_role("link", name="登记投诉").click()
    agent.get_by_label("投诉人姓名").fill("周小姐")
    agent.get_by_label("电话").first.fill("13900001234")
    agent.get_by_label("标题").fill(title)
    agent.get_by_label("事情经过").fill("买的饼干受潮发软，包装完好，要求退款。")
    agent.get_by_role("button", name="登记", exact=True).click()
    agent.wait_for_url(re.compile(r"/c/[^/]+/$"))
    number = agent.url.rstrip("/").rsplit("/", 1)[-1]
    assert "等待客服受理投诉" in next_step(agent)
    shot(agent, "complaint-01-registered-zh-CN")
    submit(agent, agent.locator("#action-acknowledge").get_by_role("button", name="受理"))
    assert "等待主管分派投诉" in next_step(agent)
    timeline = agent.locator(".timeline").inner_text()
    assert "已受理" in timeline and "已登记 → 已登记" not in timeline and "已受理 → 已受理" not in timeline

    # The supervisor assigns it: the user list is grouped by department and narrows to the one chosen.
    supervisor = people.sign_in("supervisor")
    open_complaint(supervisor, number)
    assign = supervisor.locator("#action-assign")
    assert assign.locator("optgroup[label='品质部']").count() == 1
    assign.get_by_label("部门").select_option(label="品质部")
    visible = assign.locator("#id_assign-assignee optgroup:not([hidden])")
    assert visible.count() == 1 and visible.get_attribute("label") == "品质部"
    assign.get_by_label("处理人").select_option(value="handler")
    shot(supervisor, "complaint-02-assign-grouped-zh-CN")
    submit(supervisor, assign.get_by_role("button", name="分派"))
    assert "等待张伟开始调查" in next_step(supervisor)

    # The handler: start, record the investigation, then propose (not offered before).
    handler = people.sign_in("handler")
    open_complaint(handler, number)
    assert handler.locator("#action-investigation").count() == 0
    submit(handler, handler.locator("#action-start_investigation").get_by_role("button", name="开始调查"))
    assert "等待张伟调查" in next_step(handler)
    assert handler.locator("#action-propose_solution").count() == 0
    assert "根本原因" in handler.get_by_test_id("blocked-propose_solution").inner_text()
    shot(handler, "complaint-03-investigating-zh-CN")
    form = handler.locator("#action-investigation")
    form.get_by_label("根本原因").fill("仓储湿度超标，外箱受潮。")
    form.get_by_label("原因分类").select_option(index=1)
    form.get_by_label("责任归属").select_option(index=1)
    form.get_by_label("责任部门").select_option(label="品质部")
    submit(handler, form.get_by_role("button", name="保存调查记录"))
    propose = handler.locator("#action-propose_solution")
    first = propose.get_by_test_id("alternative-1")
    first.get_by_label("补救措施 1").select_option("refund")
    first.get_by_label("金额 1（元）").fill("300")
    second = propose.get_by_test_id("alternative-2")
    second.locator("summary").click()
    second.get_by_label("补救措施 1").select_option("voucher")
    second.get_by_label("金额 1（元）").fill("400")
    propose.get_by_label("给顾客的方案说明").fill("您可选择退款 300 元，或领取 400 元购物券。")
    propose.get_by_label("内部备注（仅内部可见）").fill("同批次已下架，可从宽。")
    shot(handler, "complaint-04-propose-alternatives-zh-CN")
    submit(handler, propose.get_by_role("button", name="提出解决方案"))
    assert "等待客服经理核准 400.00 元" in next_step(handler)

    # The supervisor sees who may approve, and why not them.
    supervisor.reload()
    authority = supervisor.get_by_test_id("authority").inner_text()
    assert "超出您的核准权限" in authority and "客服经理" in authority
    assert supervisor.locator("#action-approve").count() == 0
    shot(supervisor, "complaint-05-beyond-authority-zh-CN")

    # The manager approves; then a note for the customer, an internal note; pause and resume.
    manager = people.sign_in("manager")
    open_complaint(manager, number)
    approve = manager.locator("#action-approve")
    assert "在您的核准权限" in approve.get_by_test_id("within-authority").inner_text()
    submit(manager, approve.get_by_role("button", name="核准方案"))
    assert "等待顾客确认方案" in next_step(manager)
    note = manager.locator("#note")
    note.get_by_label("备注", exact=False).first.fill("周小姐您好，方案已核准，请在自助服务页面选择。")
    note.get_by_label("答复顾客：在自助服务页面显示").check()
    submit(manager, note.get_by_role("button", name="添加备注"))
    note = manager.locator("#note")
    note.locator("textarea").fill("顾客来电语气平和，已解释两种方案。")
    note.get_by_label("内部备注：仅内部可见").check()
    submit(manager, note.get_by_role("button", name="添加备注"))
    timeline = manager.locator(".timeline").inner_text()
    assert "方案已核准，请在自助服务页面选择" in timeline and "顾客来电语气平和" in timeline
    manager.locator("#action-pause summary").click()
    pause = manager.locator("#action-pause")
    pause.get_by_label("暂停原因").select_option("awaiting_customer")
    pause.get_by_label("备注（选填）").fill("等待顾客选择方案")
    submit(manager, pause.get_by_role("button", name="暂停计时"))
    assert "时限已暂停" in next_step(manager)
    assert manager.get_by_test_id("paused").is_visible()
    shot(manager, "complaint-06-notes-paused-zh-CN")
    submit(manager, manager.get_by_role("button", name="恢复计时"))
    assert manager.get_by_test_id("paused").count() == 0
    assert "时限已恢复" in manager.locator(".timeline").inner_text()
    shot(manager, "complaint-07-resumed-zh-CN")

    # The customer, on the portal: the reply and the solution, never the staff's wording.
    customer = people.open()
    customer.goto("/portal/")
    customer.get_by_label("投诉编号").fill(number)
    customer.get_by_label("您提供的电话或电子邮件").fill("13900001234")
    submit(customer, customer.locator("#h-track").locator("..").get_by_role("button"))
    portal = customer.locator("main").inner_text()
    assert "方案已核准，请在自助服务页面选择" in portal and "您可选择退款 300 元" in portal
    for staff in ("顾客来电语气平和", "同批次已下架", "可从宽"):
        assert staff not in portal
    shot(customer, "complaint-09-portal-zh-CN")

    # The same page in traditional Chinese and in English: labels, no codes, one date format.
    for locale, needle in (("zh-TW", "等待顧客確認方案"), ("en", "Waiting for the customer to accept the solution")):
        reader = people.sign_in("manager", locale=locale)
        open_complaint(reader, number)
        assert needle in next_step(reader)
        text = reader.locator("main").inner_text()
        for code in ("propose_solution", "deadlines_paused", "awaiting_customer", "product_quality", "SPEC "):
            assert code not in text, (locale, code)
        shot(reader, f"complaint-08-page-{locale}")
