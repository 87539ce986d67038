"""Opening a workspace page from the header, as a person does: pages are grouped under menus
(`<details>` dropdowns, kesu/web/navigation.py GROUPS), so a page in a group is reached by
opening its menu first, then clicking the page."""

from __future__ import annotations

import re
from typing import Any


def nav_link(page: Any, name: str | re.Pattern[str], *, exact: bool = False) -> Any:
    """The header link named `name`, made visible: its menu is opened when it sits in one."""
    nav = page.locator("header nav")
    link = nav.get_by_role("link", name=name, exact=exact)
    if not link.first.is_visible():
        hidden = page.get_by_role("link", name=name, exact=exact, include_hidden=True)
        nav.locator("details.menu", has=hidden).locator("summary").click()
    return link


def go(page: Any, name: str | re.Pattern[str], *, exact: bool = False) -> None:
    """Open the page named `name` from the header (through its menu when it is in one)."""
    link = nav_link(page, name, exact=exact)
    href = link.first.get_attribute("href")
    link.click()
    # Wait for the page itself: read before it loads, the old document may already be gone.
    page.wait_for_url(re.compile(re.escape(href.split("?")[0]) + r"(\?.*)?$"))
