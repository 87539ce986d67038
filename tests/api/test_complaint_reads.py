"""The list and the detail answer byte for byte what the Pydantic schemas made of `complaint_dict`
(issue 15, reads): the reference below is that former path, kept here as the golden serializer,
over complaints in every shape (states, masked and unmasked callers, overdue, related, merged,
secret, foreign phone, e-mail only, products, amounts) and both languages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kesu.accounts.models import User
from kesu.api.rendering import Renderer
from kesu.api.schemas import ComplaintListOut, ComplaintOut
from kesu.api.serializers import complaint_dict
from kesu.complaints.confidentiality import confidentiality_set
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import ComplaintFilters, complaint_for, complaint_list, complaint_timeline
from kesu.core import clock
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _render(schema: Any, data: dict[str, Any]) -> bytes:
    """What Ninja did with a handler's dict: validate it into the schema, dump it, encode it."""
    dumped = schema.model_validate(data).model_dump(by_alias=False)
    return Renderer().render(None, dumped, response_status=200).encode()  # type: ignore[arg-type]


def golden_detail(user: User, number: str) -> bytes:
    complaint = complaint_for(user=user, number=number)
    timeline = list(complaint_timeline(complaint))
    return _render(ComplaintOut, complaint_dict(complaint, user=user, now=clock.now(), timeline=timeline))


def golden_list(user: User, filters: ComplaintFilters, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    queryset = complaint_list(user=user, filters=filters, now=clock.now())
    offset = (page - 1) * page_size
    rows = list(queryset[offset : offset + page_size])
    body = {
        "count": queryset.count(),
        "page": page,
        "page_size": page_size,
        "results": [complaint_dict(c, user=user, now=clock.now(), with_actions=False) for c in rows],
    }
    return json.loads(_render(ComplaintListOut, body))


@pytest.fixture
def shapes(register, complaint_in, users, now) -> list[Complaint]:
    long_ago = now - dt.timedelta(days=40)
    made = [complaint_in(state) for state in ("registered", "assigned", "solution_proposed", "closed", "withdrawn")]
    made.append(complaint_in("merged"))
    made.append(complaint_in("invalid"))
    first = register(
        now_=long_ago,
        received_at=long_ago.isoformat(),
        title="牛奶变质",
        severity="major",
        urgency="urgent",
        product={"name": "纯牛奶", "sku": "MILK-1", "lot": "L2026", "order_no": "SO-9", "quantity": 2},
        amount_claimed="12.50",
        overseas=True,
        demand="退款",
        location="上海",
        external_ref="EXT-1",
        sample_kept=True,
    )
    made.append(first)
    made.append(register(related_to=first.number, customer={"name": "Ann Lee", "email": "ann.lee@example.com"}))
    made.append(register(customer={"name": "Bob", "phone": "+442071838750"}, channel="email", category="logistics"))
    made.append(register(customer={"name": "王五", "phone": "02150001234"}, description="Late parcel"))
    secret = register(description="保密的投诉")
    confidentiality_set(actor=users["manager"], number=secret.number, level="secret", readers=["agent"], now=now)
    made.append(secret)
    for c in made:
        c.refresh_from_db()
    return made


def _client(username: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {response.json()['token']}"
    return client


ROLES = ["agent", "supervisor", "handler", "gm", "auditor", "manager"]
LANGUAGES = ["zh-hans", "en"]


def test_the_detail_is_what_the_schema_made_of_it(shapes, users):
    for username in ROLES:
        for language in LANGUAGES:
            _detail_as(shapes, users, username, language)


def _detail_as(shapes: list[Complaint], users: dict[str, User], username: str, language: str) -> None:
    client = _client(username, language)
    seen = 0
    for complaint in shapes:
        response = client.get(f"/api/v1/complaints/{complaint.number}")
        if response.status_code == 404:
            continue
        seen += 1
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        with translation.override(language):
            expected = golden_detail(users[username], complaint.number)
        assert json.loads(response.content) == json.loads(expected)
        assert response.content == expected
    assert seen, username


LISTS: list[dict[str, Any]] = [
    {},
    {"status": "registered"},
    {"status": "registered,assigned,solution_proposed"},
    {"department": "quality"},
    {"department": "品质部"},
    {"page": 2, "page_size": 3},
    {"page": 9, "page_size": 5},
    {"sort": "received_at"},
    {"overdue": "true"},
    {"severity": "major"},
    {"q": "牛奶"},
    {"channel": "email"},
]


def _filters(params: dict[str, Any]) -> ComplaintFilters:
    keys = ("status", "department", "sort", "severity", "q", "channel")
    overdue = {"true": True}.get(params.get("overdue", ""))
    return ComplaintFilters(**{k: params[k] for k in keys if k in params}, overdue=overdue)


def test_the_list_is_what_the_schema_made_of_it(shapes, users):
    for username in ROLES:
        for language in LANGUAGES:
            _list_as(users, username, language)


def _list_as(users: dict[str, User], username: str, language: str) -> None:
    client = _client(username, language)
    for params in LISTS:
        response = client.get("/api/v1/complaints", params)
        assert response.status_code == 200, (params, response.content)
        with translation.override(language):
            expected = golden_list(
                users[username], _filters(params), page=params.get("page", 1), page_size=params.get("page_size", 20)
            )
        body = json.loads(response.content)
        # Extensions (docs/README.md, "Listing"): additive keys beside the contract's, pinned by
        # their own tests (count_exact here, next_cursor in test_list_cursor.py).
        for extra in (set(body) - set(expected)) | {"next_cursor"}:
            body.pop(extra, None)
            expected.pop(extra, None)
        assert body == expected, (username, language, params)


def test_the_count_is_exact_up_to_the_cap_then_a_lower_bound(api, register, monkeypatch):
    from kesu.api import complaints

    for _ in range(7):
        register()
    agent = api("agent")
    body = agent.get("/api/v1/complaints", page_size=3).json()
    assert (body["count"], body["count_exact"]) == (7, True)
    body = agent.get("/api/v1/complaints", page_size=3, page=3).json()  # the last, short page: no count query
    assert (body["count"], body["count_exact"], len(body["results"])) == (7, True, 1)
    body = agent.get("/api/v1/complaints", page_size=3, page=9).json()  # past the end
    assert (body["count"], body["count_exact"], body["results"]) == (7, True, [])
    monkeypatch.setattr(complaints, "COUNT_CAP", 5)
    body = agent.get("/api/v1/complaints", page_size=3).json()
    assert (body["count"], body["count_exact"]) == (5, False)
    body = agent.get("/api/v1/complaints", page_size=3, page=2).json()
    assert (body["count"], body["count_exact"]) == (6, False)  # at least the rows up to this page's end
    monkeypatch.setattr(complaints, "COUNT_CAP", 7)
    assert agent.get("/api/v1/complaints", page_size=3).json()["count_exact"] is True
