"""Role × department matrix, generated from the URL configuration: every API operation and every
workspace page that names a complaint, called as every demo role on a complaint of another
department (and on a complaint of the same customer that the role may read). A role that may not
read it gets exactly the answer a number that does not exist gets
(403/404/405/422: no oracle), and nothing of the complaint (number, title) appears in any answer."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kesu.accounts.models import Role
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.services.evidence import attachment_add
from kesu.complaints.services.transitions import complaint_transition
from tests.conftest import PASSWORD

TITLE = "物流部机密投诉"
MISSING = "209912-99999"
PARAMS = {"kind": "reply", "action": "acknowledge"}


def routes() -> list[tuple[str, list[str]]]:
    """(route, methods) for every URL pattern: Ninja operations with their methods, Django views as GET and POST."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) in ("admin/", "i18n/"):
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            cells = getattr(pattern.callback, "__closure__", None) or ()
            view = next((c.cell_contents for c in cells if hasattr(c.cell_contents, "operations")), None)
            methods = ["GET", "POST"] if view is None else sorted({m for op in view.operations for m in op.methods})
            found.append((route, methods))

    walk(get_resolver().url_patterns, "/")
    return found


def fill(route: str, number: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        if name == "number":
            return number
        return PARAMS.get(name, "1")

    return re.sub(r"<([^>]+)>", value, route)


@pytest.fixture
def hidden(register, users, now):
    complaint = register(
        customer={"name": "赵六", "phone": "13812349876"},
        category="logistics.late",
        title=TITLE,
        description="快递迟到十天。",
    )
    assert complaint.department.code == "logistics"
    complaint_transition(
        actor=users["agent"], number=complaint.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    attachment_add(
        actor=users["agent"],
        complaint=complaint,
        upload=io.BytesIO(b"hello"),
        name="a.txt",
        size=5,
        description="",
        now=now,
    )
    return complaint


@pytest.fixture
def visible(register, hidden):
    """The same customer's complaint in the handler's own department: its answers must not carry the other."""
    complaint = register(customer={"name": "赵六", "phone": "13812349876"}, description="牛奶有异味。")
    assert complaint.department.code == "quality"
    return complaint


def body_for(number: str) -> str:
    return json.dumps(
        {
            "action": "acknowledge",
            "note": "x",
            "reason": "x",
            "result": "x",
            "into": number,
            "complaints": [number],
            "related_to": number,
            "number": number,
            "contact": "13812349876",
        }
    )


def call(client: Client, method: str, path: str, number: str) -> Any:
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, data=body_for(number), content_type="application/json")


def read(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_role_reads_what_it_may_not(role, users, hidden, visible):
    user = users[role]
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = api.post(
        "/api/v1/auth/token", {"username": role, "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(user)
    checked = 0
    for route, methods in routes():
        # Sign-in is not about complaints; the public side answers whoever knows the customer's contact.
        if route.startswith(("/api/v1/auth/", "/login", "/logout", "/api/v1/public/", "/portal/")):
            continue
        client = api if route.startswith("/api/") else web
        for method in methods:
            path = fill(route, hidden.number)
            response = call(client, method, path, hidden.number)
            # An error page may echo the address the caller typed (its language switch returns to it):
            # that is the caller's own input, not the complaint's data.
            text = read(response).replace(f'value="{path}"', "")
            assert response.status_code < 500, (role, method, route, text[:300])
            if sees_whole_organisation(user):
                continue
            checked += 1
            assert TITLE not in text, (role, method, route)
            assert hidden.number not in text, (role, method, route, text[:300])
            if "<number>" in route or "<str:number>" in route:
                baseline = call(client, method, fill(route, MISSING), MISSING)
                assert response.status_code == baseline.status_code, (role, method, route, text[:300])
                assert response.status_code in (403, 404, 405, 422), (role, method, route, text[:300])
                beside = read(call(client, method, fill(route, visible.number), visible.number))
                assert TITLE not in beside and hidden.number not in beside, (role, method, route, beside[:300])
    if not sees_whole_organisation(user):
        assert checked > 60
