"""Major complaints and money at the desk in the browser (issue 13), on the product as `make run`
serves it: a checklist item ticked off by its owner (and offered to nobody else), and a petty-cash
voucher approved by the shift supervisor and countersigned by the customer-service manager."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from tests.e2e.menu import go
from tests.e2e.test_resolution import act, open_complaint, panel_shot, register

pytestmark = pytest.mark.django_db(transaction=False)


def _nav(page: Any, name: str) -> None:
    go(page, name, exact=True)


def _register_lost_valuables(agent: Any, title: str) -> str:
    _nav(agent, "登记投诉")
    agent.get_by_label("投诉人姓名").fill("钱女士")
    agent.get_by_label("电话").fill("13912340099")
    agent.get_by_label("标题").fill(title)
    agent.get_by_label("事情经过").fill("在存包处寄存的贵重物品（相机）不见了，要求调监控。")
    agent.get_by_label("类别").select_option("lost_property")
    agent.get_by_role("button", name="登记", exact=True).click()
    agent.wait_for_url(re.compile(r"/c/\d{6}-\d{5}/$"))
    return str(agent.url.rstrip("/").rsplit("/", 1)[-1])


def test_a_checklist_item_is_ticked_off_by_its_owner(people, shot) -> None:  # type: ignore[no-untyped-def]
    agent = people.sign_in("agent")
    number = _register_lost_valuables(agent, f"寄存相机丢失 {secrets.token_hex(3)}")
    panel = agent.locator("#checklist")
    assert "顾客所存物品遗失" in panel.inner_text()
    assert "已完成 0 / 4" in panel.inner_text()
    shot(agent, "incidents-01-checklist")
    # the supervisor owns the police item; the agent is not offered its form
    police = panel.get_by_test_id("checklist-item").filter(has_text="请防损部协助顾客报警")
    assert police.locator("form").count() == 0
    mine = panel.get_by_test_id("checklist-item").filter(has_text="通知当班主管，报告客服经理、总经理")
    mine.locator("summary").click()
    mine.locator("textarea[name=note]").fill("已电话通知王主管和客服经理")
    mine.get_by_role("button", name="标记为完成").click()
    agent.wait_for_selector(".messages li.success")
    panel = agent.locator("#checklist")
    assert "已完成 1 / 4" in panel.inner_text()
    assert "已电话通知王主管和客服经理" in panel.inner_text()
    panel_shot(agent, "#checklist", "incidents-02-checklist-item-done")

    supervisor = people.sign_in("supervisor")
    open_complaint(supervisor, number)
    police = supervisor.locator("#checklist").get_by_test_id("checklist-item").filter(has_text="请防损部协助顾客报警")
    police.locator("summary").click()
    police.locator("textarea[name=note]").fill("已陪同顾客报警")
    police.get_by_role("button", name="标记为完成").click()
    supervisor.wait_for_selector(".messages li.success")
    assert "已完成 2 / 4" in supervisor.locator("#checklist").inner_text()
    # media enquiries are recorded at the desk; the form to answer is the manager's only
    assert supervisor.locator("#media").get_by_role("button", name="提交答复").count() == 0
    shot(supervisor, "incidents-03-checklist-supervisor")


def test_a_voucher_is_approved_by_the_supervisor_and_countersigned_by_the_manager(people, shot) -> None:  # type: ignore[no-untyped-def]
    title = f"灯珠不亮 {secrets.token_hex(3)}"
    agent = people.sign_in("agent")
    number = register(agent, title)
    act(agent, "acknowledge", {"note": "已电话联系顾客"})
    supervisor = people.sign_in("supervisor")
    open_complaint(supervisor, number)
    act(supervisor, "assign", {"department": "quality", "assignee": "handler"})
    handler = people.sign_in("handler")
    open_complaint(handler, number)
    act(handler, "start_investigation")
    act(
        handler,
        "investigation",
        {
            "root_cause": "焊接温度偏低导致虚焊",
            "cause_class": "staff",
            "responsibility": "ours",
            "responsible_department": "quality",
        },
    )
    act(
        handler,
        "propose_solution",
        {"remedy_type_1": "compensation", "remedy_amount_1": "30", "description": "补偿 30 元"},
    )
    supervisor.reload()
    act(supervisor, "approve", {"note": "主管权限内"})

    agent.reload()
    assert "赔付标准" in agent.locator("#money").inner_text()
    form = agent.locator("#action-voucher")
    form.locator("summary").click()
    form.get_by_label("金额（元）").fill("30")
    form.get_by_label("领款人").fill("郑先生")
    form.get_by_label("目的").fill("补偿现金")
    form.get_by_role("button", name="申请借支").click()
    agent.wait_for_selector(".messages li.success")
    assert "等待审批" in agent.locator(".messages").inner_text()
    panel_shot(agent, "#money", "incidents-04-voucher-requested")

    supervisor.reload()
    _nav(supervisor, "备用金")
    row = supervisor.get_by_test_id("voucher-row").filter(has_text=number)
    shot(supervisor, "incidents-05-vouchers-queue")
    row.get_by_role("button", name="同意并支付").click()
    supervisor.wait_for_selector(".messages li.success")
    assert "已支付，待补签" in supervisor.get_by_test_id("voucher-row").filter(has_text=number).inner_text()

    manager = people.sign_in("manager")
    _nav(manager, "备用金")
    manager.get_by_test_id("voucher-row").filter(has_text=number).get_by_role("button", name="补签").click()
    manager.wait_for_selector(".messages li.success")
    manager.get_by_role("link", name="全部", exact=True).click()
    assert "已补签" in manager.get_by_test_id("voucher-row").filter(has_text=number).inner_text()
    shot(manager, "incidents-06-voucher-countersigned")
