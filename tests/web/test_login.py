from __future__ import annotations

from django.test import Client, override_settings

from tests.conftest import PASSWORD


def test_anonymous_visitor_is_sent_to_the_login_form(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    form = Client().get("/login/")
    assert form.status_code == 200
    assert b'name="username"' in form.content and b'name="password"' in form.content


def test_login_with_the_right_password_opens_the_workspace(users):
    client = Client()
    response = client.post("/login/", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


@override_settings(KESU_LOGIN_RATE_LIMIT="3/300")
def test_login_is_throttled_after_repeated_guesses(users):
    client = Client()
    for _ in range(3):
        assert client.post("/login/", {"username": "agent", "password": "wrong"}).status_code == 200
    refused = client.post("/login/", {"username": "agent", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "_auth_user_id" not in client.session


@override_settings(KESU_LOGIN_RATE_LIMIT="3/300")
def test_throttling_one_account_leaves_another_alone(users):
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": "agent", "password": "wrong"})
    assert client.post("/login/", {"username": "manager", "password": PASSWORD}).status_code == 302


def test_logout_needs_a_post(as_user):
    client = as_user("agent")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_login_form_is_protected_by_csrf(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 403
