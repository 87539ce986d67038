"""The resolution steps in the browser, on the product as `make run` serves it: each person signs
in and then only clicks and types. One complaint is registered by the agent and carried through
department tasks, returns and credit notes (seen on finance's list), letters and the printed
complaint handling form, a follow-up visit, and a ruling that is appealed and answered."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)

TEXT = {
    "zh-CN": {"queues": "工作队列", "all": "全部投诉", "search": "搜索", "register": "登记投诉"},
    "zh-TW": {"queues": "工作佇列", "all": "全部投訴", "search": "搜尋", "register": "登記投訴"},
    "en": {"queues": "Queues", "all": "All complaints", "search": "Search", "register": "Register a complaint"},
}


def _styled(page: Any) -> bool:
    colour = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
    return colour not in ("rgba(0, 0, 0, 0)", "transparent")


def open_complaint(page: Any, number: str, locale: str = "zh-CN") -> None:
    """From any staff page: the header's search box opens a complaint by its number."""
    search = page.locator("#site-search-q")
    search.fill(number)
    search.press("Enter")
    page.wait_for_url(f"**/c/{number}/")


def act(page: Any, action: str, fill: dict[str, str] | None = None) -> None:
    """One of the complaint page's action forms (owned by the complaint page), by clicking."""
    form = page.locator(f"#action-{action}")
    if not form.evaluate("e => e.open"):
        form.locator("summary").click()
    _fill(form, fill or {}, prefix=f"{action}-" if action != "investigation" else "investigation-")
    form.locator("button[type=submit]").click()
    try:
        page.wait_for_selector(".messages li", timeout=8000)
    except Exception:
        page.screenshot(path=f"artifacts/screenshots/resolution-failed-{action}.png", full_page=True)
        raise


def _fill(scope: Any, fill: dict[str, str], prefix: str) -> None:
    for name, value in fill.items():
        field = scope.locator(f"[name='{prefix}{name}']")
        tag = field.evaluate("e => e.tagName + (e.type === 'checkbox' ? ':checkbox' : '')")
        if tag == "SELECT":
            field.select_option(value)
        elif tag.endswith(":checkbox"):
            field.check()
        else:
            field.fill(value)


def panel_form(page: Any, form_id: str, fill: dict[str, str], *, prefix: str) -> None:
    """One of the resolution panels' forms: open it, type, submit, wait for the success line."""
    form = page.locator(f"#{form_id}")
    if not form.evaluate("e => e.open"):
        form.locator("summary").click()
    _fill(form, fill, prefix)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages li.success")


def panel_shot(page: Any, selector: str, name: str) -> None:
    """A readable picture of one panel (the whole page is saved by `shot` too)."""
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def register(agent: Any, title: str) -> str:
    go(agent, "登记投诉")
    agent.get_by_label("投诉人姓名").fill("郑先生")
    agent.get_by_label("电话").fill("13912340088")
    agent.get_by_label("电子邮件").fill("zheng@example.com")
    agent.get_by_label("标题").fill(title)
    agent.get_by_label("事情经过").fill("上月到货的 LED 灯条约 5% 灯珠不亮，要求退回不良品并折让。")
    agent.get_by_label("类别").select_option("product_quality.defect.manufacturing")
    agent.get_by_label("产品或服务").fill("LED 灯条 5050")
    agent.get_by_label("批号").fill("B2612-01")
    agent.get_by_role("button", name="登记", exact=True).click()
    agent.wait_for_url(re.compile(r"/c/\d{6}-\d{5}/$"))
    return agent.url.rstrip("/").rsplit("/", 1)[-1]


def test_resolution_steps_in_the_browser(people, shot) -> None:  # type: ignore[no-untyped-def]
    title = f"灯珠不亮 {secrets.token_hex(3)}"
    agent = people.sign_in("agent")
    number = register(agent, title)
    act(agent, "acknowledge", {"note": "已电话联系顾客"})

    supervisor = people.sign_in("supervisor")
    open_complaint(supervisor, number)
    act(supervisor, "assign", {"department": "quality", "assignee": "handler"})
    # The coordinator before any department task (the panel says why tasks wait).
    assert supervisor.locator("#tasks .why-not").inner_text() == "请先指定协调人，再分派部门任务。"
    panel_form(supervisor, "form-coordinator", {"coordinator": "handler"}, prefix="coordinator-")
    assert "张伟" in supervisor.get_by_test_id("coordinator").inner_text()

    handler = people.sign_in("handler")
    open_complaint(handler, number)
    act(handler, "start_investigation")
    panel_form(handler, "form-task", {"department": "logistics", "description": "核对到货时的运输记录"}, prefix="task-")
    row = handler.locator("#tasks table.tasks tbody tr").first
    assert "物流部" in row.inner_text() and "进行中" in row.inner_text()
    shot(handler, "resolution-01-task-assigned")
    task_form = handler.locator("#tasks details.action").filter(has_text="标记为完成")
    task_form.locator("summary").click()
    task_form.get_by_label("任务结果").fill("运输记录正常，包装完好")
    task_form.get_by_role("button").click()
    handler.wait_for_selector(".messages li.success")
    assert "已完成" in handler.locator("#tasks table.tasks tbody tr").first.inner_text()
    shot(handler, "resolution-02-task-done")
    panel_shot(handler, "#tasks", "resolution-02-task-done-panel")

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
        {
            "remedy_type_1": "allowance",
            "remedy_amount_1": "30",
            "remedy_type_2": "return",
            "remedy_amount_2": "0",
            "description": "退回不良品并折让 30 元",
        },
    )
    assert handler.locator("#returns .why-not").inner_text() == "退货和折让须基于客户已接受的解决方案。"

    supervisor.reload()
    act(supervisor, "approve", {"note": "主管权限内"})
    agent.reload()
    act(agent, "customer_accept", {"note": "顾客电话同意"})

    # Returns and credit notes: the assignee issues them; a wrong quantity keeps what was typed.
    handler.reload()
    form = handler.locator("#form-return")
    form.locator("summary").click()
    form.get_by_label("单据").select_option("return_slip")
    form.get_by_label("核准数量").fill("一百")
    form.get_by_label("单价（元）").fill("2.50")
    form.get_by_role("button").click()
    form = handler.locator("#form-return")
    assert form.evaluate("e => e.open")
    assert form.get_by_label("核准数量").input_value() == "一百"
    assert form.locator(".errorlist").count() == 1
    shot(handler, "resolution-03-return-error")
    panel_shot(handler, "#returns", "resolution-03-return-error-panel")
    form.get_by_label("核准数量").fill("100")
    form.get_by_role("button").click()
    handler.wait_for_selector(".messages li.success")
    panel_form(handler, "form-return", {"kind": "credit_note", "amount": "30.00", "note": "销货折让"}, prefix="return-")
    receipt = handler.locator("#returns details.action").filter(has_text="实退货品")
    receipt.get_by_label("实际退回数量").fill("95")
    receipt.get_by_role("button").click()
    handler.wait_for_selector(".messages li.success")
    returns_text = handler.locator("#returns table").inner_text()
    assert f"RS-{number}-01" in returns_text and f"CN-{number}-01" in returns_text and "有差异" in returns_text
    shot(handler, "resolution-04-returns")
    panel_shot(handler, "#returns", "resolution-04-returns-panel")
    panel_shot(handler, "#letters", "resolution-04-letters-panel")

    manager = people.sign_in("manager")
    go(manager, "退货及折让")
    manager.get_by_label("核对结果").select_option("discrepancy")
    manager.get_by_role("button", name="筛选").click()
    manager.wait_for_url(re.compile(r"reconciliation=discrepancy"))
    listing = manager.locator("table.finance").inner_text()
    assert f"RS-{number}-01" in listing and f"CN-{number}-01" not in listing
    assert _styled(manager)
    shot(manager, "resolution-05-finance-list")

    act(handler, "resolve", {"result": "已退回不良品并折让 30 元，已调整焊接温度。"})

    # Letters: the result letter previewed with a measure typed, sent, then printed.
    agent.reload()
    agent.locator("#letters").get_by_role("link", name="处理结果通知函").click()
    agent.get_by_label("处理措施").fill("已退回不良品并折让 30 元。")
    agent.get_by_role("button", name="更新预览").click()
    assert "已退回不良品并折让 30 元。" in agent.get_by_test_id("letter-body").inner_text()
    shot(agent, "resolution-06-letter-preview")
    agent.get_by_role("link", name="打印视图").click()
    agent.wait_for_url(re.compile(r"/letters/result/print/"))
    assert agent.locator("header nav").count() == 0
    assert "已退回不良品并折让 30 元。" in agent.get_by_test_id("letter-body").inner_text()
    agent.emulate_media(media="print")
    assert agent.locator("header.top").is_hidden() and agent.locator(".print-toolbar").is_hidden()
    shot(agent, "resolution-07-letter-print")
    agent.emulate_media(media="screen")
    agent.get_by_role("link", name=f"返回投诉 {number}").click()
    agent.locator("#letters").get_by_role("link", name="处理结果通知函").click()
    agent.get_by_label("发送方式").select_option("email")
    agent.get_by_role("button", name="发送给顾客").click()
    agent.wait_for_selector(".messages li.success")
    assert agent.locator(".messages li.success").inner_text() == "信函已放入发件箱等待发送。"

    # The internal complaint record: print only, from the complaint page.
    agent.locator("#letters").get_by_role("link", name="投诉登记表（内部）").click()
    assert agent.get_by_role("button", name="发送给顾客").count() == 0
    agent.get_by_role("link", name=f"返回投诉 {number}").click()
    agent.get_by_role("link", name="打印客诉处理单").click()
    agent.wait_for_url(re.compile(r"/record/print/"))
    sheet = agent.locator("article.record").inner_text()
    assert number in sheet and "焊接温度偏低导致虚焊" in sheet and f"RS-{number}-01" in sheet
    assert "物流部" in sheet
    agent.emulate_media(media="print")
    shot(agent, "resolution-08-handling-form-print")
    agent.emulate_media(media="screen")
    agent.get_by_role("link", name=f"返回投诉 {number}").click()

    # A follow-up visit planned (the date defaults into the 1–2 month window), listed, done.
    panel_form(agent, "form-followup", {"purpose": "了解灯条使用情况"}, prefix="followup-")
    go(agent, "跟进拜访")
    agent.get_by_role("link", name="全部已安排").click()
    agent.wait_for_url(re.compile(r"show=scheduled"))
    shot(agent, "resolution-09-follow-ups")
    agent.locator("main table").get_by_role("link", name=number).click()
    visit = agent.locator("#follow-ups details.action").filter(has_text="记录拜访结果")
    visit.locator("summary").click()
    visit.get_by_label("客户满意").select_option("yes")
    visit.get_by_label("拜访结果").fill("顾客对处理满意，灯条使用正常")
    visit.get_by_role("button").click()
    agent.wait_for_selector(".messages li.success")
    assert "顾客对处理满意" in agent.locator("#follow-ups").inner_text()
    shot(agent, "resolution-10-follow-up-done")
    panel_shot(agent, "#follow-ups", "resolution-10-follow-up-done-panel")

    # A validity ruling naming the handler, appealed by the handler, answered by the supervisor.
    supervisor.reload()
    panel_form(supervisor, "form-ruling", {"kind": "service", "reason": "调查报告晚于 3 天"}, prefix="ruling-")
    go(handler, "判定与申诉")
    shot(handler, "resolution-11-my-rulings")
    handler.locator("main table").get_by_role("link", name="对此判定提出申诉").first.click()
    appeal = handler.locator("#rulings details.action").filter(has_text="对此判定提出申诉")
    panel_shot(handler, "#rulings", "resolution-11-appeal-form-panel")
    appeal.get_by_label("申诉理由").fill("等待物流部回复，已在系统中记录")
    appeal.get_by_role("button").click()
    handler.wait_for_selector(".messages li.success")
    go(supervisor, "判定与申诉")
    supervisor.locator("main").get_by_role("link", name=number).click()
    answer = supervisor.locator("#rulings details.action").filter(has_text="答复申诉")
    answer.get_by_label("决定").select_option("overturned")
    answer.get_by_label("申诉答复").fill("物流部任务记录显示已按时跟进，撤销原判定")
    answer.get_by_role("button").click()
    supervisor.wait_for_selector(".messages li.success")
    assert "撤销原判定" in supervisor.locator("#rulings").inner_text()
    shot(supervisor, "resolution-12-ruling-answered")
    panel_shot(supervisor, "#rulings", "resolution-12-ruling-answered-panel")


@pytest.mark.parametrize("locale", ["zh-TW", "en"])
def test_resolution_pages_in_other_languages(people, shot, locale) -> None:  # type: ignore[no-untyped-def]
    """A closed demo complaint with its panels, and finance's list, read in zh-TW and en."""
    manager = people.sign_in("manager", locale=locale)
    text = TEXT[locale]
    go(manager, text["queues"], exact=True)
    manager.locator("#results tbody tr").first.get_by_role("link").first.click()
    manager.wait_for_url(re.compile(r"/c/\d{6}-\d{5}/$"))
    heading = {"zh-TW": "部門任務", "en": "Department tasks"}[locale]
    assert manager.locator("#h-tasks").inner_text() == heading
    shot(manager, f"resolution-complaint-{locale}")
    label = {"zh-TW": "退貨及折讓", "en": "Returns and allowances"}[locale]
    go(manager, label)
    manager.wait_for_url("**/finance/returns/")
    assert _styled(manager)
    shot(manager, f"resolution-finance-{locale}")
    go(manager, {"zh-TW": "判定與申訴", "en": "Rulings and appeals"}[locale])
    manager.wait_for_url("**/rulings/")
    shot(manager, f"resolution-rulings-{locale}")
