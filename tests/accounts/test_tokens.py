"""API tokens: revoked on a password change and on deactivation; the caller lists and revokes its own."""

from __future__ import annotations

from django.test import Client

from kesu.accounts.models import ApiToken
from tests.conftest import PASSWORD


def sign_in(username: str = "agent") -> str:
    response = Client().post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def as_token(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_password_change_revokes_the_tokens(users):
    token = sign_in()
    assert as_token(token).get("/api/v1/complaints").status_code == 200
    users["agent"].set_password("a-new-password-456")
    users["agent"].save()
    assert as_token(token).get("/api/v1/complaints").status_code == 401
    assert not ApiToken.objects.filter(user=users["agent"]).exists()


def test_deactivation_revokes_the_tokens(users):
    token = sign_in()
    users["agent"].is_active = False
    users["agent"].save()
    assert not ApiToken.objects.filter(user=users["agent"]).exists()
    users["agent"].is_active = True
    users["agent"].save()
    assert as_token(token).get("/api/v1/complaints").status_code == 401


def test_other_changes_keep_the_tokens(users):
    token = sign_in()
    users["agent"].first_name = "三"
    users["agent"].save()
    assert as_token(token).get("/api/v1/complaints").status_code == 200


def test_list_shows_only_ones_own_tokens_and_marks_the_current(users):
    first, second = sign_in(), sign_in()
    sign_in("manager")
    response = as_token(second).get("/api/v1/auth/tokens")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 2
    assert [r["current"] for r in rows] == [True, False]
    assert set(rows[0]) == {"id", "created_at", "expires_at", "current"}
    assert first not in response.content.decode() and second not in response.content.decode()


def test_revoke_one_token(users):
    first, second = sign_in(), sign_in()
    rows = as_token(second).get("/api/v1/auth/tokens").json()
    other = next(r["id"] for r in rows if not r["current"])
    response = as_token(second).delete(f"/api/v1/auth/tokens/{other}")
    assert response.status_code == 204
    assert as_token(first).get("/api/v1/complaints").status_code == 401
    assert as_token(second).get("/api/v1/complaints").status_code == 200


def test_revoking_anothers_token_is_a_404_and_revokes_nothing(users):
    mine = sign_in()
    sign_in("manager")
    theirs = ApiToken.objects.get(user=users["manager"])
    response = as_token(mine).delete(f"/api/v1/auth/tokens/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "You have no token with this id."
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_the_token_endpoints_need_a_token(db):
    assert Client().get("/api/v1/auth/tokens").status_code == 401
    assert Client().delete("/api/v1/auth/tokens/1").status_code == 401
