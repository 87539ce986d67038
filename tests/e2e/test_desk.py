"""The service desk on the product as `make run` serves it (demo roster of agent, agent2, agent3):
a shift swap requested, agreed and approved; a forbidden phrase blocking a note, named; a handover
written and accepted; a survey answered once on the portal. Signed in, then clicking and typing."""

from __future__ import annotations

import re

import pytest

from tests.e2e.menu import go
from tests.e2e.test_helpdesk import register_by_clicking, unique_phone

pytestmark = pytest.mark.django_db(transaction=False)


def open_desk(page, tab: str | None = None) -> None:  # type: ignore[no-untyped-def]
    go(page, "服务台")
    page.wait_for_url("**/desk/")
    if tab:
        page.locator("ul.desk-tabs").get_by_role("link", name=tab, exact=True).click()
        page.wait_for_load_state()


def click_and_wait(page, button) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        button.click()


def test_a_swap_requested_by_agent_agreed_by_agent2_and_approved_by_the_manager(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    open_desk(agent)
    shot(agent, "desk-01-roster-zh-CN")
    day = agent.locator("#id_date option").nth(1).get_attribute("value")
    assert day
    row = agent.locator("table.desk-roster tr", has_text=day).inner_text()
    agent.locator("#id_date").select_option(day)
    agent.locator("#id_partner").select_option("agent2")
    if "周婷" in row:  # agent2 works another shift that day: the two exchange shifts
        agent.locator("#id_partner_date").fill(day)
    click_and_wait(agent, agent.get_by_role("button", name="申请换班"))
    assert agent.locator(".errorlist").count() == 0, agent.locator(".errorlist").all_inner_texts()
    assert "换班申请已提交" in agent.locator(".messages").inner_text()

    agent2 = people.sign_in("agent2")
    open_desk(agent2)
    todo = agent2.locator("section.desk-todo")
    assert day in todo.inner_text()
    click_and_wait(agent2, todo.get_by_role("button", name="同意"))
    assert "等待部门经理批准" in agent2.locator(".messages").inner_text()

    manager = people.sign_in("manager")
    open_desk(manager)
    click_and_wait(manager, manager.locator("section.desk-todo").get_by_role("button", name="批准"))
    assert "换班已批准" in manager.locator(".messages").inner_text()
    assert "已批准" in manager.locator("main").inner_text()
    shot(manager, "desk-02-swap-approved-zh-CN")


def test_a_swap_request_is_withdrawn_by_the_agent_who_asked(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    open_desk(agent)
    # A shift a few days on: a worked shift lies between it and any earlier swap of this agent.
    day = agent.locator("#id_date option").nth(4).get_attribute("value")
    assert day
    row = agent.locator("table.desk-roster tr", has_text=day).inner_text()
    agent.locator("#id_date").select_option(day)
    agent.locator("#id_partner").select_option("agent3")
    if "吴昊" in row:  # agent3 works another shift that day: the two exchange shifts
        agent.locator("#id_partner_date").fill(day)
    click_and_wait(agent, agent.get_by_role("button", name="申请换班"))
    assert agent.locator(".errorlist").count() == 0, agent.locator(".errorlist").all_inner_texts()
    mine = agent.locator("table tr", has_text=day).filter(has_text="agent3")
    assert "待对方同意" in mine.inner_text()
    shot(agent, "desk-08-swap-requested-zh-CN")

    click_and_wait(agent, mine.get_by_role("button", name="撤回"))
    assert "您已撤回换班申请" in agent.locator(".messages").inner_text()
    mine = agent.locator("table tr", has_text=day).filter(has_text="agent3")
    assert "已撤回" in mine.inner_text()
    assert mine.get_by_role("button", name="撤回").count() == 0
    shot(agent, "desk-09-swap-withdrawn-zh-CN")

    agent3 = people.sign_in("agent3")
    open_desk(agent3)
    assert agent3.locator("section.desk-todo", has_text=day).count() == 0  # nothing left to agree to
    assert agent3.locator("table tr", has_text=day).get_by_role("button", name="撤回").count() == 0


def test_panels_due_this_quarter_follow_the_managers_frequency(people, shot) -> None:  # type: ignore[no-untyped-def]
    manager = people.sign_in("manager")
    open_desk(manager, "座谈与问卷")
    due = manager.locator("#panels-due")
    assert re.search(r"本季度（\d{4}Q[1-4]）应开座谈会 2 次，已安排 \d+ 次", due.inner_text()), due.inner_text()
    assert re.search(r"本半年（\d{4}H[12]）应开展问卷调查 1 次", manager.locator("#surveys-due").inner_text())

    click_and_wait(manager, manager.get_by_role("link", name="修改座谈与问卷频次"))
    manager.get_by_label("每季度客户座谈会次数（至少）").fill("3")
    click_and_wait(manager, manager.get_by_role("button", name="保存"))
    assert "座谈与问卷频次已保存" in manager.locator(".messages").inner_text()
    due = manager.locator("#panels-due")
    assert "应开座谈会 3 次" in due.inner_text()
    assert "还需安排" in due.inner_text()
    shot(manager, "desk-10-panels-due-zh-CN")

    click_and_wait(manager, manager.get_by_role("button", name="安排本季度座谈会"))
    due = manager.locator("#panels-due")
    assert "应开座谈会 3 次，已安排 3 次" in due.inner_text()
    assert "还需安排" not in due.inner_text()
    shot(manager, "desk-11-panels-planned-zh-CN")

    # Back to the default, for the pages other tests read.
    click_and_wait(manager, manager.get_by_role("link", name="修改座谈与问卷频次"))
    manager.get_by_label("每季度客户座谈会次数（至少）").fill("2")
    click_and_wait(manager, manager.get_by_role("button", name="保存"))
    assert "应开座谈会 2 次" in manager.locator("#panels-due").inner_text()


def test_a_forbidden_phrase_blocks_a_note_to_the_customer_and_is_named(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    register_by_clicking(agent, name="钱女士", phone=unique_phone(), title="退款未到账")
    note = agent.locator("#note")
    typed = "您好，这个问题我们也没办法，请您谅解。"
    note.locator("textarea").fill(typed)
    note.get_by_label("答复顾客：在自助服务页面显示").check()
    click_and_wait(agent, note.get_by_role("button", name="添加备注"))
    note = agent.locator("#note")
    error = note.locator(".errorlist").inner_text()
    assert "没办法" in error and "禁用语" in error
    assert note.locator("textarea").input_value() == typed
    shot(agent, "desk-03-forbidden-phrase-zh-CN")


def test_a_handover_written_by_the_outgoing_agent_and_accepted_by_the_incoming(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    open_desk(agent, "交接班")
    agent.locator("#id_incoming").select_option("agent3")
    agent.get_by_label("设备情况").fill("3 号座席耳机有杂音，已报修。")
    agent.get_by_label("人员调班").fill("明天早班由周婷顶班。")
    click_and_wait(agent, agent.get_by_role("button", name="交班"))
    assert agent.locator(".errorlist, .form-errors").count() == 0, agent.locator(".errorlist").all_inner_texts()
    assert "交班记录已提交" in agent.locator(".messages").inner_text()
    shot(agent, "desk-04-handover-written-zh-CN")

    agent3 = people.sign_in("agent3")
    open_desk(agent3, "交接班")
    todo = agent3.locator("section.desk-todo")
    assert "3 号座席耳机有杂音" in todo.inner_text()
    click_and_wait(agent3, todo.get_by_role("button", name="确认接班"))
    assert "您已接班" in agent3.locator(".messages").inner_text()
    agent3.get_by_label("搜索交接记录").fill("耳机")
    click_and_wait(agent3, agent3.locator("main form[role=search] button"))
    assert "3 号座席耳机有杂音" in agent3.locator("main table").inner_text()
    shot(agent3, "desk-05-handover-log-zh-CN")


def test_a_survey_sent_by_the_manager_is_answered_once_on_the_portal(people, shot) -> None:  # type: ignore[no-untyped-def]
    manager = people.sign_in("manager")
    open_desk(manager, "座谈与问卷")
    manager.get_by_label("标题").fill("2026 年下半年服务满意度调查")
    manager.get_by_label(re.compile("问题")).fill("接待人员是否礼貌\n问题是否及时解决")
    manager.get_by_label("抽样顾客数").fill("3")
    click_and_wait(manager, manager.get_by_role("button", name="发送问卷"))
    assert "问卷已发送给 3 位顾客" in manager.locator(".messages").inner_text()
    link = manager.locator("table.desk-invitations a").first.get_attribute("href")
    assert link and "/portal/survey/" in link
    shot(manager, "desk-06-survey-sent-zh-CN")

    customer = people.open()
    customer.goto(link)  # the link in the customer's SMS
    customer.locator("input[name=q0][value='5']").check()
    customer.locator("input[name=q1][value='4']").check()
    customer.get_by_label(re.compile("其他意见")).fill("服务很好。")
    click_and_wait(customer, customer.get_by_role("button", name="提交答卷"))
    assert "感谢您！您的回答已记录" in customer.locator("main").inner_text()
    shot(customer, "desk-07-survey-answered-zh-CN")
    customer.goto(link)
    assert "此链接已作答" in customer.locator("main").inner_text()
    assert customer.locator("input[name=q0]").count() == 0

    manager.reload()
    assert "1 位已作答" in manager.locator("main").inner_text()


@pytest.mark.parametrize(
    ("locale", "desk", "tabs"),
    [
        (
            "en",
            "Service desk",
            [
                "Duty roster",
                "Shift handover",
                "Service phrases",
                "Agent performance",
                "Panels and surveys",
                "Case library",
            ],
        ),
        ("zh-TW", "服務檯", ["排班表", "交接班", "服務用語", "客服績效", "座談與問卷", "案例庫"]),
    ],
)
def test_every_desk_tab_in_english_and_traditional_chinese(people, shot, locale, desk, tabs) -> None:  # type: ignore[no-untyped-def]
    manager = people.sign_in("manager", locale=locale)
    go(manager, desk)
    manager.wait_for_url("**/desk/")
    assert manager.locator("ul.desk-tabs a").all_inner_texts() == tabs
    for index, tab in enumerate(tabs):
        manager.locator("ul.desk-tabs").get_by_role("link", name=tab, exact=True).click()
        manager.wait_for_load_state()
        assert manager.locator("ul.desk-tabs a[aria-current=page]").inner_text() == tab
        shot(manager, f"desk-tab-{index}-{locale}")
