"""Crafted input answers a 4xx in the error shape and the caller's language, never a 500, and
stores nothing (issue 9, finding 5). Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kesu.complaints.models import Complaint
from tests.conftest import intake_payload

SURROGATE = '"\\ud800"'  # JSON text for a lone surrogate
NUL = '"a\\u0000b"'


def raw_payload(field: str, raw: str, **overrides) -> bytes:
    text = json.dumps(intake_payload(**overrides), ensure_ascii=False)
    marker = '"__X__"'
    payload = json.loads(text)
    if field.startswith("customer."):
        payload["customer"][field.split(".")[1]] = "__X__"
    else:
        payload[field] = "__X__"
    return json.dumps(payload, ensure_ascii=False).replace(marker, raw).encode()


def assert_shaped(response, status: int, field: str | None = "__any__", language: str = "en") -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"} and body["errors"]
    for item in body["errors"]:
        assert {"field", "message"} <= set(item)
    if field != "__any__":
        assert body["errors"][0]["field"] == field


@pytest.mark.parametrize("raw", [SURROGATE, NUL])
@pytest.mark.parametrize("field", ["description", "title", "customer.name"])
def test_bad_characters_in_staff_intake(api, users, raw, field):
    response = api("agent", language="en").post("/api/v1/complaints", raw=raw_payload(field, raw))
    assert_shaped(response, 422, field)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("raw", [SURROGATE, NUL])
def test_bad_characters_in_public_intake(users, raw):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/api/v1/public/complaints",
        data=raw_payload("description", raw, channel="web"),
        content_type="application/json",
    )
    assert_shaped(response, 422, "description")
    assert "请" in response.json()["errors"][0]["message"] or "字符" in response.json()["errors"][0]["message"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("raw", [SURROGATE, NUL])
def test_bad_characters_in_a_schema_body(users, raw):
    body = f'{{"username": {raw}, "password": "x"}}'.encode()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/auth/token", data=body, content_type="application/json")
    assert_shaped(response, 422, "username")


def test_unparseable_json_to_a_schema_body_is_a_translated_400(users):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/api/v1/auth/token", data=b'{"username": ', content_type="application/json"
    )
    assert_shaped(response, 400, None)
    assert response.json()["errors"][0]["message"] == "请求内容不是有效的 JSON。"


def test_huge_page_number(api):
    response = api("agent", language="en").get("/api/v1/complaints", page="100000000000000000000")
    assert_shaped(response, 422, "page")


@pytest.mark.parametrize("where", ["q", "status", "department", "assignee", "category"])
def test_nul_in_a_query_string(api, where):
    response = api("agent", language="en").get("/api/v1/complaints", **{where: "a\x00b"})
    assert_shaped(response, 422, where)


def test_nul_in_a_path_segment(api):
    response = api("agent", language="en").get("/api/v1/complaints/2026%00-1")
    assert_shaped(response, 404, None)


def test_nul_on_the_public_tracking_endpoint(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert_shaped(client.get("/api/v1/public/complaints/202611-00001", {"contact": "1\x002"}), 422, "contact")
    assert_shaped(client.get("/api/v1/public/complaints/2026%0011-00001", {"contact": "13800000000"}), 404, None)


def test_nul_in_the_portal_form_is_a_form_error(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/portal/new/", {"name": "Chen\x00", "phone": "13912345678", "description": "a\x00b"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    assert b"Null characters are not allowed." in response.content
    assert not Complaint.objects.exists()
    tracked = client.post("/portal/track/", {"number": "2026\x0011-00001", "contact": "13912345678"})
    assert tracked.status_code == 422
    assert tracked["Content-Type"].startswith("text/html")


def test_nul_in_a_page_query_string(as_user):
    response = as_user("agent").get("/", {"q": "a\x00b"})
    assert response.status_code == 400


def test_naive_due_at(api, register, users):
    complaint = register()
    response = api("supervisor", language="en").post(
        "/api/v1/capas",
        {
            "complaints": [complaint.number],
            "title": "t",
            "actions": "a",
            "owner": "manager",
            "due_at": "2026-12-31T09:00:00",
        },
    )
    assert_shaped(response, 422, "due_at")


@pytest.mark.parametrize(
    "dates", [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("0001-01-01", "9999-12-31")]
)
def test_extreme_dates_in_supervision_filters(api, dates):
    response = api("manager", language="en").get("/api/v1/supervision/rollup", date_from=dates[0], date_to=dates[1])
    assert response.status_code in (200, 422), response.content[:300]
    if response.status_code == 422:
        assert_shaped(response, 422)


def test_extreme_dates_in_a_sample(api):
    response = api("manager", language="en").post(
        "/api/v1/supervision/samples", {"period_start": "0001-01-01", "period_end": "9999-12-31", "size": 1}
    )
    assert response.status_code in (201, 422), response.content[:300]


def test_a_multipart_body_without_a_boundary_is_a_shaped_400(api, register):
    complaint = register()
    client = api("agent", language="en")
    response = client.client.post(
        f"/api/v1/complaints/{complaint.number}/attachments",
        data=b"x",
        content_type="multipart/form-data",
        **client.headers,
    )
    assert_shaped(response, 400, None)
    assert response.json()["errors"][0]["message"] == "The request body could not be read."


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_days_in_the_queue_filter(as_user, day):
    response = as_user("manager").get("/", {"day": day})
    assert response.status_code == 200
