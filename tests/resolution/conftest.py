from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kesu.resolution.models import (
    Adjudication,
    Appeal,
    ApprovalDecision,
    Coordination,
    DepartmentTask,
    FollowUpVisit,
    Investigation,
    ReturnDocument,
)
from tests.complaints.lifecycle import snapshot
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _no_sign_in_limit(settings):
    settings.KESU_LOGIN_RATE_LIMIT = "100000/60"


def everything() -> dict[str, Any]:
    """What any lifecycle or resolution write could touch."""
    return {
        **snapshot(),
        "investigations": list(Investigation.objects.order_by("id").values()),
        "decisions": list(ApprovalDecision.objects.order_by("id").values_list("id", flat=True)),
        "coordination": list(Coordination.objects.order_by("id").values()),
        "tasks": list(DepartmentTask.objects.order_by("id").values()),
        "returns": list(ReturnDocument.objects.order_by("id").values()),
        "follow_ups": list(FollowUpVisit.objects.order_by("id").values()),
        "adjudications": list(Adjudication.objects.order_by("id").values()),
        "appeals": list(Appeal.objects.order_by("id").values()),
    }


class Api:
    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, **self.headers)

    def post(self, path: str, body: Any = None):
        return self.client.post(path, data=json.dumps(body or {}), content_type="application/json", **self.headers)

    def put(self, path: str, body: Any = None):
        return self.client.put(path, data=json.dumps(body or {}), content_type="application/json", **self.headers)


@pytest.fixture
def client_as(users):
    """An English JSON client signed in as the user: client_as("handler").put(...)."""

    def _make(username: str) -> Api:
        response = Client().post(
            "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return Api(response.json()["token"])

    return _make


def refused(call, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """Call an API method; the response and whether nothing at all was written."""
    before = everything()
    response = call(*args, **kwargs)
    return response, everything() == before
