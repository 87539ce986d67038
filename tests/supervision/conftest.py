from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kesu.accounts.models import Role
from kesu.audit.models import AuditRecord
from kesu.supervision.models import CapaEvent, CorrectiveAction, QualityReview, SampleRun
from tests.complaints.lifecycle import snapshot
from tests.conftest import make_user

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def everything() -> dict[str, Any]:
    """Everything a supervision service could write (plus what a lifecycle action could)."""
    return {
        **snapshot(),
        "capas": list(CorrectiveAction.objects.order_by("id").values()),
        "capa_links": list(CorrectiveAction.complaints.through.objects.order_by("id").values_list("id", flat=True)),
        "capa_events": list(CapaEvent.objects.order_by("id").values_list("id", flat=True)),
        "samples": list(SampleRun.objects.order_by("id").values()),
        "reviews": list(QualityReview.objects.order_by("id").values()),
        "all_audit": AuditRecord.objects.count(),
    }


@pytest.fixture
def team(users):
    """The supervision team and others: a quality manager, a second quality handler, a sales handler."""
    return {
        **users,
        "qmanager": make_user("qmanager", Role.MANAGER, "quality"),
        "inspector": make_user("inspector", Role.HANDLER, "quality"),
        "sales": make_user("sales", Role.HANDLER, "sales"),
    }


@pytest.fixture
def closed(register, users):
    """A complaint registered and settled on the spot (so closed) at `when`."""

    def _closed(when: dt.datetime, actor: str = "agent", **overrides: Any):
        return register(
            actor=users[actor],
            now_=when,
            received_at=when.isoformat(),
            settlement={"kind": "on_the_spot", "result": "当场退款。"},
            **overrides,
        )

    return _closed
