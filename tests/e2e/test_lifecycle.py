"""One complaint through its whole lifecycle, in each language, on the product as `make run` serves it.

Every role signs in from the login page and then only clicks and types: the agent registers and
acknowledges, the supervisor assigns, the handler investigates and proposes, the supervisor approves
within their authority, the customer's acceptance is recorded, the handler resolves, the agent records a
satisfied callback and the manager closes the complaint. The labels the test clicks are the catalogue's translations
of the workspace's own strings, so the test reads the page as a person of that language does; a label
left untranslated or a raw code on the page fails it."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.e2e.menu import go

pytestmark = pytest.mark.django_db(transaction=False)

LANGUAGES = {"zh-CN": "zh-hans", "zh-TW": "zh-hant", "en": "en"}
RAW_CODES = (
    "start_investigation",
    "propose_solution",
    "record_callback",
    "solution_proposed",
    "implementing",
    "customer_accept",
    "SPEC ",
)


class Reader:
    """The workspace's words in one language."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, msgid: str, **values: Any) -> str:
        with translation.override(self.language):
            text = gettext(msgid)
        return text % values if values else text


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()
    errors = page.locator(".errorlist, .form-errors")
    assert errors.count() == 0, errors.all_inner_texts()


def act(page: Any, action: str, button: str) -> Any:
    """The complaint page's form for an action (opened if folded), submitted with its button."""
    form = page.locator(f"#action-{action}")
    if form.get_attribute("open") is None:
        form.locator("summary").first.click()
    return form, form.get_by_role("button", name=button, exact=True)


def open_complaint(page: Any, number: str) -> None:
    search = page.locator("#site-search-q")
    search.fill(number)
    with page.expect_navigation():
        search.press("Enter")
    page.wait_for_url(re.compile(rf"/c/{number}/$"))


def status_of(page: Any) -> str:
    return page.locator("h1 .badge.status").first.inner_text().strip()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_one_complaint_from_registration_to_closing(people, shot, locale) -> None:  # type: ignore[no-untyped-def]
    t = Reader(LANGUAGES[locale])
    title = f"lifecycle {locale} {uuid.uuid4().hex[:8]}"

    # The agent registers the complaint from the intake form and acknowledges it.
    agent = people.sign_in("agent", locale=locale)
    go(agent, t("Register a complaint"), exact=True)
    agent.get_by_label(t("Complainant name")).fill("Li Lei")
    agent.get_by_label(t("Phone")).first.fill("13900005678")
    agent.get_by_label(t("Title")).fill(title)
    agent.get_by_label(t("What happened")).fill("The kettle leaks at the base after two days.")
    submit(agent, agent.get_by_role("button", name=t("Register"), exact=True))
    number = agent.url.rstrip("/").rsplit("/", 1)[-1]
    assert status_of(agent) == t("registered")
    form, button = act(agent, "acknowledge", t("Acknowledge"))
    submit(agent, button)
    assert status_of(agent) == t("acknowledged")
    shot(agent, f"lifecycle-01-acknowledged-{locale}")

    # The supervisor assigns it to the quality department's handler.
    supervisor = people.sign_in("supervisor", locale=locale)
    open_complaint(supervisor, number)
    form, button = act(supervisor, "assign", t("Assign"))
    form.get_by_label(t("Assignee")).select_option(value="handler")
    submit(supervisor, button)
    assert status_of(supervisor) == t("assigned")

    # The handler starts, records the investigation, then proposes a solution within the supervisor's authority.
    handler = people.sign_in("handler", locale=locale)
    open_complaint(handler, number)
    form, button = act(handler, "start_investigation", t("Start investigation"))
    submit(handler, button)
    assert status_of(handler) == t("investigating")
    investigation = handler.locator("#action-investigation")
    investigation.get_by_label(t("Root cause")).fill("A faulty seal in lot B-17.")
    investigation.get_by_label(t("Cause class")).select_option(index=1)
    investigation.get_by_label(t("Responsibility")).select_option(index=1)
    investigation.get_by_label(t("Responsible department")).select_option(label="品质部")  # the organisation's own name
    submit(handler, investigation.get_by_role("button", name=t("Save the investigation"), exact=True))
    form, button = act(handler, "propose_solution", t("Propose a solution"))
    offer = form.get_by_test_id("alternative-1")
    offer.get_by_label(t("Remedy %(n)d", n=1)).select_option("voucher")
    offer.get_by_label(t("Amount %(n)d (CNY)", n=1)).fill("50")
    form.get_by_label(t("Solution, as the customer reads it")).fill("A voucher of 50 yuan and a new kettle.")
    submit(handler, button)
    assert status_of(handler) == t("solution awaiting confirmation")
    shot(handler, f"lifecycle-02-proposed-{locale}")

    # The supervisor approves it (50 yuan is within their authority); the customer's acceptance is recorded.
    supervisor.reload()
    form, button = act(supervisor, "approve", t("Approve the solution"))
    submit(supervisor, button)
    form, button = act(supervisor, "customer_accept", t("Customer accepts"))
    submit(supervisor, button)
    assert status_of(supervisor) == t("solution being implemented")

    # The handler resolves it with the result the customer reads.
    handler.reload()
    form, button = act(handler, "resolve", t("Mark resolved"))
    form.get_by_label(t("Result, as told to the customer")).fill("The kettle was replaced and the voucher sent.")
    submit(handler, button)
    assert status_of(handler) == t("resolved, awaiting callback")

    # The agent calls back: the customer was reached and is satisfied.
    agent.reload()
    form, button = act(agent, "record_callback", t("Record the callback"))
    form.get_by_label(t("Was the customer reached?")).select_option("yes")
    form.get_by_label(t("Is the customer satisfied with the handling?")).select_option("yes")
    form.get_by_label(t("Score the customer gave (5 = very satisfied)")).select_option("5")
    submit(agent, button)
    assert status_of(agent) == t("resolved, awaiting callback")

    # The customer-service manager closes it (the customer is satisfied).
    manager = people.sign_in("manager", locale=locale)
    open_complaint(manager, number)
    form, button = act(manager, "close", t("Close"))
    submit(manager, button)
    assert status_of(manager) == t("closed")
    text = manager.locator("main").inner_text()
    for code in RAW_CODES:
        assert code not in text, (locale, code)
    shot(manager, f"lifecycle-03-closed-{locale}")
