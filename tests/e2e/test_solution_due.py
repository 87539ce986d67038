"""RS-2 and IV-3 on the served product, in simplified Chinese: the handler starts the investigation
(the report falls due in 3 days), records it (the report is in), proposes a solution naming the
responsible person and the date it is to be carried out, and sees both deadlines on the complaint
page's deadlines card under their Chinese names."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.e2e.menu import go
from tests.e2e.test_lifecycle import RAW_CODES, Reader, act, open_complaint, status_of, submit

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_solution_with_its_responsible_person_and_due_date(people, shot) -> None:  # type: ignore[no-untyped-def]
    t = Reader("zh-hans")
    title = f"solution due {uuid.uuid4().hex[:8]}"

    agent = people.sign_in("agent")
    go(agent, t("Register a complaint"), exact=True)
    agent.get_by_label(t("Complainant name")).fill("王芳")
    agent.get_by_label(t("Phone")).first.fill("13900007788")
    agent.get_by_label(t("Title")).fill(title)
    agent.get_by_label(t("What happened")).fill("电水壶使用两天后底部漏水。")
    submit(agent, agent.get_by_role("button", name=t("Register"), exact=True))
    number = agent.url.rstrip("/").rsplit("/", 1)[-1]
    form, button = act(agent, "acknowledge", t("Acknowledge"))
    submit(agent, button)

    supervisor = people.sign_in("supervisor")
    open_complaint(supervisor, number)
    form, button = act(supervisor, "assign", t("Assign"))
    form.get_by_label(t("Assignee")).select_option(value="handler")
    submit(supervisor, button)

    handler = people.sign_in("handler")
    open_complaint(handler, number)
    form, button = act(handler, "start_investigation", t("Start investigation"))
    submit(handler, button)
    card = handler.locator("section[aria-labelledby=h-deadlines]")
    assert card.get_by_test_id("deadline-investigation_report").inner_text() == "调查报告"

    investigation = handler.locator("#action-investigation")
    investigation.get_by_label(t("Root cause")).fill("密封圈批次 B-17 不良。")
    investigation.get_by_label(t("Cause class")).select_option(index=1)
    investigation.get_by_label(t("Responsibility")).select_option(index=1)
    investigation.get_by_label(t("Responsible department")).select_option(label="品质部")
    submit(handler, investigation.get_by_role("button", name=t("Save the investigation"), exact=True))

    due = dt.date.today() + dt.timedelta(days=5)
    form, button = act(handler, "propose_solution", t("Propose a solution"))
    offer = form.get_by_test_id("alternative-1")
    offer.get_by_label(t("Remedy %(n)d", n=1)).select_option("exchange")
    offer.get_by_label(t("Amount %(n)d (CNY)", n=1)).fill("0")
    form.get_by_label(t("Solution, as the customer reads it")).fill("为您更换一台新电水壶。")
    form.get_by_label(t("Responsible person (username)")).fill("supervisor")
    form.get_by_label(t("To be carried out by")).fill(due.isoformat())
    shot(handler, "solution-due-01-propose-zh-CN")
    submit(handler, button)
    assert status_of(handler) == t("solution awaiting confirmation")

    card = handler.locator("section[aria-labelledby=h-deadlines]")
    label = card.get_by_test_id("deadline-solution_due")
    assert label.inner_text() == "落实解决方案"
    # The solution card and the deadlines card name the same person: the supervisor typed in.
    carried = handler.get_by_test_id("solution-responsible").inner_text()
    assert carried.startswith("由 ") and " 落实，期限 " in carried and f"{due.month}月{due.day}日" in carried
    name = carried[2 : carried.index(" 落实")]
    assert name == "李强"  # the demo's supervisor
    shown = label.locator("xpath=following-sibling::dd[1]").inner_text()
    assert f"责任人：{name}" in shown and f"{due.month}月{due.day}日" in shown
    report = card.get_by_test_id("deadline-investigation_report").locator("xpath=following-sibling::dd[1]")
    assert t("met") in report.inner_text()
    text = card.inner_text()
    assert not any(code in text for code in (*RAW_CODES, "solution_due", "investigation_report"))
    card.scroll_into_view_if_needed()
    shot(handler, "solution-due-02-deadlines-zh-CN")
