"""Sign-in throttling (kesu.accounts.throttle): failures only, per account and per address, with
backoff, in a store every worker shares — the database, or Redis through Django's cache."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, override_settings

from kesu.accounts import throttle
from kesu.accounts.models import SignInThrottle
from tests.conftest import PASSWORD

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
def store(request, db):
    """Each test runs against both stores; Redis under a key prefix of its own, removed afterwards."""
    if request.param == "database":
        with override_settings(KESU_THROTTLE_STORE="database", KESU_LOGIN_RATE_LIMIT="3/300"):
            yield request.param
        return
    prefix = f"kesu-test-{uuid.uuid4().hex}"
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix}
    }
    with override_settings(CACHES=caches, KESU_THROTTLE_STORE="cache", KESU_LOGIN_RATE_LIMIT="3/300"):
        client = throttle.CacheStore().client
        try:
            yield request.param
        finally:
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)


def token(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_successful_sign_ins_are_never_counted(users, store):
    # One office behind a proxy: everyone shares the address.
    for _ in range(30):
        assert token("agent", PASSWORD).status_code == 200


def test_failures_lock_the_account_only(users, store):
    for _ in range(3):
        assert token("agent", "wrong").status_code == 401
    refused = token("agent", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["errors"][0]["code"] == "throttled"
    assert refused.json()["errors"][0]["message"].startswith("Too many sign-in attempts")
    # A colleague at the same address still gets in; so does the account from nowhere else: it is locked.
    assert token("manager", PASSWORD).status_code == 200
    assert token("agent", PASSWORD, address="10.9.9.9").status_code == 429


def test_address_limit_spares_accounts_known_at_the_address(users, store):
    assert token("manager", PASSWORD).status_code == 200  # signed in here before
    for n in range(30):  # someone guessing many accounts from the office address
        token(f"nobody{n}", "wrong")
    assert token("nobody99", "wrong").status_code == 429
    assert token("supervisor", PASSWORD).status_code == 429  # never signed in here
    assert token("manager", PASSWORD).status_code == 200
    assert token("supervisor", PASSWORD, address="10.0.0.2").status_code == 200


def test_the_window_slides(store, db):
    # Two failures just before a fixed window's end and two just after: a fixed window lets four through.
    for at in (299.0, 299.5, 300.5):
        throttle.record_failure(username="agent", address="a", now=at)
    assert throttle.refused_for(username="agent", address="a", now=301.0) is not None


def test_failures_leak_away(store, db):
    for at in (0.0, 1.0):
        throttle.record_failure(username="agent", address="a", now=at)
    throttle.record_failure(username="agent", address="a", now=1000.0)
    assert throttle.refused_for(username="agent", address="a", now=1000.0) is None


def test_each_lockout_lasts_twice_as_long(store, db):
    for at in (0.0, 1.0, 2.0):
        throttle.record_failure(username="agent", address="a", now=at)
    assert throttle.refused_for(username="agent", address="a", now=3.0) == 299
    assert throttle.refused_for(username="agent", address="a", now=302.5) is None
    throttle.record_failure(username="agent", address="a", now=303.0)  # the first failure after the lock
    assert throttle.refused_for(username="agent", address="a", now=304.0) == 599
    throttle.record_failure(username="agent", address="a", now=904.0)
    assert throttle.refused_for(username="agent", address="a", now=904.0) == 1200


def test_a_success_clears_the_account(store, db):
    for at in (0.0, 1.0):
        throttle.record_failure(username="agent", address="a", now=at)
    throttle.record_success(username="agent", address="a", now=2.0)
    throttle.record_failure(username="agent", address="a", now=3.0)
    assert throttle.refused_for(username="agent", address="a", now=3.0) is None


def test_the_store_is_shared_not_per_worker(users, store):
    for _ in range(3):
        token("agent", "wrong")
    if store == "database":
        assert SignInThrottle.objects.filter(key=throttle.account_key("agent")).get().strikes == 1
    else:
        state = throttle.CacheStore().load(throttle.account_key("agent"))
        assert state is not None and state.strikes == 1
    # Keys hold no username or address in clear.
    assert not SignInThrottle.objects.filter(key__contains="agent").exists()


def test_workspace_and_admin_sign_in_share_the_account_lock(users, store):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        assert client.post("/admin/login/", {"username": "admin", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "admin", "password": "wrong"}).status_code == 200
    refused = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "_auth_user_id" not in client.session
    assert client.post("/login/", {"username": "admin", "password": PASSWORD}).status_code == 429
    assert token("admin", PASSWORD).status_code == 429


def test_admin_sign_in_works(users, store):
    users["admin"].is_staff = True
    users["admin"].save()
    client = Client()
    assert client.post("/admin/login/", {"username": "admin", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" in client.session


def test_the_database_is_the_store_without_redis(settings):
    settings.KESU_THROTTLE_STORE = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(throttle.store(), throttle.DatabaseStore)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}}
    assert isinstance(throttle.store(), throttle.CacheStore)
