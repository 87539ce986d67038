"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium against live_server.

One browser per session, a fresh context per test. Every page's console errors and uncaught
exceptions fail the test. Screenshots go to artifacts/screenshots/ (gitignored)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (creating users, moving complaints through services) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Chromium is not installed at /usr/bin/chromium (run `make browser`)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's sync API runs, Django's connection handler hands this thread new
    # connection objects, without the snapshot of the reference data taken when the test
    # database was created; carry it over so serialized_rollback (here and in every later
    # transactional test of this process) still restores departments, categories, rules.
    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in snapshots.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class Pages:
    """Opens pages in fresh contexts and records every JavaScript error they raise."""

    def __init__(self, browser: Any, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []
        self.contexts: list[Any] = []

    def open(self, *, locale: str = "zh-CN", mobile: bool = False) -> Any:
        options: dict[str, Any] = {"base_url": self.base_url, "locale": locale}
        if mobile:
            options.update(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
            )
        else:
            options.update(viewport={"width": 1366, "height": 900})
        context = self.browser.new_context(**options)
        context.set_default_timeout(15000)
        self.contexts.append(context)
        page = context.new_page()
        # A Content-Security-Policy refusal names the element it refused (Chromium's own message does not).
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " var html = e.target && e.target.outerHTML;"
            " var what = html ? html.slice(0, 160) : e.sourceFile;"
            " console.error('CSP refused ' + e.violatedDirective + ' on ' + what); });"
        )
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("response", self._response)
        return page

    def _console(self, message: Any) -> None:
        # A page answered 4xx on purpose (422 form errors, 404 tracking) is logged by Chromium as
        # "Failed to load resource"; failed sub-resources are caught by _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            where = message.location or {}
            at = f"{where.get('url', '?')}:{where.get('lineNumber', '?')}"
            self.errors.append(f"console: {message.text} (at {at})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type not in ("document",):
            self.errors.append(f"{response.status} {response.request.resource_type} {response.url}")

    def login(self, username: str, password: str, *, page: Any = None) -> Any:
        page = page or self.open()
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server) -> Iterator[Pages]:
    opened = Pages(browser, live_server.url)
    yield opened
    opened.close()
    assert opened.errors == [], "JavaScript errors: " + "; ".join(opened.errors)


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


# --- the product as `make run` serves it -----------------------------------------------------


@pytest.fixture(scope="session")
def served() -> Iterator[Any]:
    """gunicorn via `kesu serve` on a fresh data directory with the demo loaded (see served.py)."""
    from tests.e2e.served import serve

    yield from serve()


class People(Pages):
    """Pages opened on the served product; a person signs in from the login page by typing."""

    def __init__(self, browser: Any, served: Any):
        super().__init__(browser, served.url)
        self.password = served.password

    def sign_in(self, username: str, *, locale: str = "zh-CN", mobile: bool = False) -> Any:
        page = self.open(locale=locale, mobile=mobile)
        page.goto("/")  # a person types the address; everything after is clicking and typing
        page.wait_for_url("**/login/**")
        page.get_by_label(_label("username", locale)).fill(username)
        page.get_by_label(_label("password", locale)).fill(self.password)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page


def _label(field: str, locale: str) -> str:
    labels = {
        "username": {"zh-CN": "用户名", "zh-TW": "使用者名稱", "en": "Username"},
        "password": {"zh-CN": "密码", "zh-TW": "密碼", "en": "Password"},
    }
    return labels[field].get(locale, labels[field]["en"])


@pytest.fixture
def people(browser, served) -> Iterator[People]:
    """Like `pages`, on the served product: any 4xx/5xx sub-resource or console error fails the test."""
    opened = People(browser, served)
    yield opened
    opened.close()
    assert opened.errors == [], "Errors while browsing: " + "; ".join(opened.errors)
