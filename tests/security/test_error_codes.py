"""API.md: each error item carries a stable machine-readable `code` beside `field` and `message`."""

from __future__ import annotations

from django.test import Client, override_settings

from kesu.core.errors import ErrorCode


def codes(response) -> list[str]:
    assert set(response.json()) == {"errors"}
    for item in response.json()["errors"]:
        assert set(item) == {"field", "message", "code"}
    return [item["code"] for item in response.json()["errors"]]


def test_every_refusal_of_the_edge_is_coded(users, settings):
    client = Client()
    assert codes(client.get("/api/v1/complaints")) == [ErrorCode.UNAUTHENTICATED]
    assert codes(client.get("/api/v1/nowhere")) == [ErrorCode.NOT_FOUND]
    assert codes(client.put("/api/v1/health")) == [ErrorCode.METHOD_NOT_ALLOWED]
    assert codes(client.get("/api/v1/public/complaints/1", {"contact": "\x00"})) == [ErrorCode.UNSTORABLE_TEXT]
    assert codes(client.post("/api/v1/auth/token", data=b"{", content_type="application/json")) == [
        ErrorCode.JSON_INVALID
    ]
    assert codes(client.post("/api/v1/auth/token", {"username": "agent"}, content_type="application/json")) == [
        ErrorCode.REQUIRED
    ]
    assert codes(
        client.post("/api/v1/auth/token", {"username": "agent", "password": "x"}, content_type="application/json")
    ) == [ErrorCode.WRONG_CREDENTIALS]
    settings.KESU_MAX_JSON_BODY = 10
    assert codes(
        client.post("/api/v1/auth/token", {"username": "agent", "password": "x" * 20}, content_type="application/json")
    ) == [ErrorCode.BODY_TOO_LARGE]


@override_settings(KESU_LOGIN_RATE_LIMIT="1/300", KESU_THROTTLE_STORE="database")
def test_the_sign_in_429_is_coded(users):
    client = Client()
    client.post("/api/v1/auth/token", {"username": "agent", "password": "x"}, content_type="application/json")
    response = client.post(
        "/api/v1/auth/token", {"username": "agent", "password": "x"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert codes(response) == [ErrorCode.THROTTLED]


def test_domain_refusals_keep_their_own_codes(api, register):
    response = api("agent").post(
        "/api/v1/complaints", {"channel": "phone", "customer": {"name": "张三"}, "description": ""}
    )
    assert response.status_code == 422
    assert "required" in codes(response)
