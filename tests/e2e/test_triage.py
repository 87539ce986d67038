"""Issue 10 in the browser, on the product as `make run` serves it: an agent registers a complaint
and sees the suggestions (the rule and the words, the same-matter candidates), the complaint page's
triage panel names the rule and the risk; a supervisor opens the escalation-risk queue from the
menu and finds it there with its reasons. zh-CN throughout, and the pages in en and zh-TW."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.menu import go
from tests.e2e.test_lifecycle import Reader, submit

pytestmark = pytest.mark.django_db(transaction=False)

LANGUAGES = {"zh-CN": "zh-hans", "zh-TW": "zh-hant", "en": "en"}
TEXT = {
    "zh-CN": "在存包处寄存的背包里的相机不见了，我已经打了12315。",
    "zh-TW": "在存包處寄存的背包裡的相機不見了，我已經打了12315。",
    "en": "The camera in the backpack I left in your cloakroom is gone; I have called 12315.",
}


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_agent_sees_suggestions_and_supervisor_finds_the_risk(people, shot, locale) -> None:  # type: ignore[no-untyped-def]
    t = Reader(LANGUAGES[locale])
    title = f"triage {locale} {uuid.uuid4().hex[:8]}"

    agent = people.sign_in("agent", locale=locale)
    agent.locator("header nav").get_by_role("link", name=t("Register a complaint"), exact=True).click()
    agent.get_by_label(t("Complainant name")).fill("Han Meimei")
    agent.get_by_label(t("Phone")).first.fill("13900007788")
    agent.get_by_label(t("Title")).fill(title)
    agent.get_by_label(t("What happened")).fill(TEXT[locale])
    agent.get_by_label(t("Title")).click()  # leaving the description asks for the suggestions
    check = agent.locator("#intake-check")
    check.get_by_test_id("triage-advice").wait_for()
    assert t("Severity suggestion") in check.inner_text()
    assert "12315" in check.inner_text() or "寄存" in check.inner_text() or "cloakroom" in check.inner_text()
    chinese = locale != "en"
    if chinese:  # the demo holds the same story in simplified Chinese: offered as the same matter
        same = check.get_by_test_id("same-matter")
        same.wait_for()
        assert t("Possibly the same matter") in same.inner_text()
    shot(agent, f"triage-01-intake-{locale}")
    submit(agent, agent.get_by_role("button", name=t("Register"), exact=True))
    number = agent.url.rstrip("/").rsplit("/", 1)[-1]

    panel = agent.locator("#triage-panel")
    panel.get_by_test_id("rule-reason").wait_for()
    assert t("Escalation risk") in panel.inner_text()
    if chinese:
        panel.get_by_test_id("same-matter").wait_for()
        assert panel.get_by_role("button", name=t("Link"), exact=True).count() >= 1
    shot(agent, f"triage-02-complaint-{locale}")

    supervisor = people.sign_in("supervisor", locale=locale)
    go(supervisor, t("Escalation risk"), exact=True)  # in the Handling menu
    supervisor.wait_for_url(re.compile(r"/risk/$"))
    with supervisor.expect_navigation():
        supervisor.get_by_role("button", name=t("Assess now"), exact=True).click()
    queue = supervisor.get_by_test_id("risk-queue")
    row = queue.locator("tr", has_text=number)
    row.wait_for()
    assert t("threatens a regulator, the media or a court") in row.inner_text()
    shot(supervisor, f"triage-03-risk-queue-{locale}")
