from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from hypothesis import settings as hypothesis_settings

from kesu.accounts.models import Department, Role, User
from kesu.complaints.models import Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.services.transitions import complaint_transition
from tests.complaints.lifecycle import investigate

# CI explores the same examples on every run, so a red build always reproduces; run with
# HYPOTHESIS_PROFILE=explore locally to search new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PASSWORD = "test-pass-123"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_phones = itertools.count(1000)


@pytest.fixture(autouse=True)
def _chinese_by_default():
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """Anchors live outside the database, so each test (with its fresh database) gets its own file."""
    settings.KESU_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


def make_user(username: str, role: str, department: str | None) -> User:
    dept = Department.objects.get(code=department) if department else None
    user = User.objects.create(username=username, role=role, department=dept, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(db) -> dict[str, User]:
    return {
        "admin": make_user("admin", Role.ADMIN, "customer_service"),
        "agent": make_user("agent", Role.AGENT, "customer_service"),
        "agent2": make_user("agent2", Role.AGENT, "customer_service"),
        "agent3": make_user("agent3", Role.AGENT, "customer_service"),
        "supervisor": make_user("supervisor", Role.SUPERVISOR, "customer_service"),
        "manager": make_user("manager", Role.MANAGER, "customer_service"),
        "handler": make_user("handler", Role.HANDLER, "quality"),
        "gm": make_user("gm", Role.GM, None),
        "auditor": make_user("auditor", Role.AUDITOR, None),
    }


def intake_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "channel": "phone",
        "customer": {"name": "张三", "phone": f"1380013{next(_phones) % 10000:04d}"},
        "description": "买的牛奶有异味，要求退款。",
        "category": "product_quality.food.expired",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def register(users, now):
    def _register(actor: User | None = None, now_: dt.datetime | None = None, **overrides: Any) -> Complaint:
        return complaint_register(actor=actor or users["agent"], payload=intake_payload(**overrides), now=now_ or now)

    return _register


# Actions that bring a complaint from `registered` into each state, with who takes them.
PATH_TO: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
RECORD_INVESTIGATION = "record_investigation"
_steps = [
    ("acknowledged", "acknowledge", "agent", {}),
    ("assigned", "assign", "supervisor", {"department": "quality", "assignee": "handler"}),
    ("investigating", "start_investigation", "handler", {}),
    # Not a transition: the root cause and responsibility a solution needs (complaint_in records it).
    ("investigating", RECORD_INVESTIGATION, "handler", {}),
    ("solution_proposed", "propose_solution", "handler", {"remedies": [{"type": "refund", "amount": "50.00"}]}),
]
_acc: list[tuple[str, str, dict[str, Any]]] = []
PATH_TO["registered"] = []
for state, action, who, params in _steps:
    _acc = [*_acc, (action, who, params)]
    PATH_TO[state] = list(_acc)
_approved = [*_acc, ("approve", "supervisor", {})]
PATH_TO["implementing"] = [*_approved, ("customer_accept", "agent", {})]
PATH_TO["resolved"] = [*PATH_TO["implementing"], ("resolve", "handler", {"result": "已退款 50 元。"})]
PATH_TO["closed"] = [
    *PATH_TO["resolved"],
    ("record_callback", "agent", {"reached": True, "satisfied": True}),
    ("close", "manager", {}),
]
PATH_TO["withdrawn"] = [("withdraw", "agent", {})]
PATH_TO["merged"] = [("merge", "supervisor", {"into": "__OTHER__"})]
PATH_TO["invalid"] = [("rule_invalid", "supervisor", {"reason": "untrue"})]


@pytest.fixture
def complaint_in(register, users, now):
    """A complaint brought into `state` through the real services."""

    def _in(state: str) -> Complaint:
        complaint = register()
        for action, who, params in PATH_TO[state]:
            payload = dict(params)
            if payload.get("into") == "__OTHER__":
                payload["into"] = register().number
            if action == RECORD_INVESTIGATION:
                investigate(users, who, complaint, now)
                continue
            complaint_transition(
                actor=users[who], number=complaint.number, action=action, payload={"action": action, **payload}, now=now
            )
        complaint.refresh_from_db()
        assert complaint.status == state
        return complaint

    return _in


@pytest.fixture
def api(users):
    """A JSON client signed in as a role: api("agent").post(...)."""

    class _Api:
        def __init__(self, token: str | None, language: str):
            self.client = Client()
            self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
            if token:
                self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

        def get(self, path: str, **params: Any):
            return self.client.get(path, params, **self.headers)

        def post(self, path: str, body: Any = None, raw: bytes | None = None):
            import json

            data = raw if raw is not None else json.dumps(body)
            return self.client.post(path, data=data, content_type="application/json", **self.headers)

        def delete(self, path: str):
            return self.client.delete(path, **self.headers)

    def _make(role: str | None = "agent", language: str = "zh-hans") -> _Api:
        token = None
        if role:
            response = Client().post(
                "/api/v1/auth/token", {"username": role, "password": PASSWORD}, content_type="application/json"
            )
            assert response.status_code == 200, response.content
            token = response.json()["token"]
        return _Api(token, language)

    return _make
