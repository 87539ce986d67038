"""The product as a newcomer meets it: `make run`'s server, signed in from the login page, styled pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=False)


def _styled(page) -> bool:  # type: ignore[no-untyped-def]
    # kesu.css gives the header bar a background; an unstyled page leaves it transparent.
    colour = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
    return colour not in ("rgba(0, 0, 0, 0)", "transparent")


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW", "en"])
def test_agent_signs_in_and_lands_on_a_styled_queue(people, shot, locale) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("agent", locale=locale)
    assert _styled(page)
    assert page.evaluate("typeof htmx") == "object"  # the vendored htmx loaded
    shot(page, f"served-queue-{locale}")


def test_api_docs_load_without_leaving_the_machine(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.open()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(people.base_url) else None)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert outside == []
    shot(page, "served-api-docs")


def test_an_unknown_page_is_styled_and_links_back(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    response = page.goto("/c/209901-99999/")
    assert response.status == 404
    assert _styled(page)
    shot(page, "served-404")
    page.get_by_role("link", name="返回我的队列").click()
    page.wait_for_url(people.base_url + "/")
