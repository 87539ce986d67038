from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def as_user(users):
    """A browser-like client signed in as a role: as_user("agent").get("/")."""

    def _make(role: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(users[role])
        return client

    return _make
