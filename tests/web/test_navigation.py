"""The header menu: pages grouped under dropdowns, a group of one shown as a plain link."""

from __future__ import annotations

import pytest

from kesu.web.navigation import ENTRIES, GROUP_OF, GROUPS, nav_for

pytestmark = pytest.mark.django_db


def _shape(items):  # type: ignore[no-untyped-def]
    return [
        (item["key"], [page["key"] for page in item["entries"]]) if "entries" in item else item["key"] for item in items
    ]


def test_every_grouped_key_is_an_entry_and_every_group_has_a_label():
    keys = {entry.key for entry in ENTRIES}
    assert set(GROUP_OF) <= keys
    assert set(GROUP_OF.values()) <= set(GROUPS)


def test_the_manager_sees_groups_where_their_first_page_comes(users):
    shape = _shape(nav_for(users["manager"]))
    assert shape[:3] == [
        "queues",
        "intake",
        ("reports", ["dashboard", "indicators", "analysis", "report_archive", "disclosure"]),
    ]
    groups = dict(item for item in shape if isinstance(item, tuple))
    assert groups["handling"][:4] == ["department_tasks", "follow_ups", "rulings", "finance"]
    assert groups["quality"] == ["capas", "samples", "rollup"]
    assert groups["configuration"][0] == "settings"
    # a page of a group the manager sees is never also a plain link beside it
    assert not [key for key in shape if isinstance(key, str) and GROUP_OF.get(key) in groups]


def test_a_group_the_user_sees_one_page_of_is_a_plain_link(users):
    shape = _shape(nav_for(users["agent"]))
    assert "capas" in shape  # the agent's only quality page stands on its own
    assert all(isinstance(item, str) or len(item[1]) > 1 for item in shape)


def test_the_current_page_marks_its_group(as_user):
    html = as_user("manager").get("/capas/").content.decode()
    assert '<summary class="current">质量</summary>' in html
    assert 'href="/capas/" aria-current="page"' in html


def test_nobody_signed_out_gets_a_menu(client):
    from django.contrib.auth.models import AnonymousUser

    assert nav_for(AnonymousUser()) == []


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "handler", "gm", "auditor", "admin"])
def test_every_page_in_the_header_opens_with_a_plain_title(as_user, users, role):
    import re

    client = as_user(role)
    for item in nav_for(users[role]):
        for page in item.get("entries", [item]):
            response = client.get(page["url"])
            assert response.status_code == 200, page["url"]
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            assert title and "<" not in title.group(1) and title.group(1).strip(), page["url"]
