from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kesu.audit.models import AuditRecord
from kesu.deadlines.calendar import calendar_load_package
from kesu.desk.models import Handover, RosterEntry, ServicePhrase, ShiftSwap, SurveyInvitation, Team
from kesu.desk.roster import COMPLAINT_DESK_TEAM, desk_setup, roster_generate
from tests.complaints.lifecycle import snapshot

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def everything() -> dict[str, Any]:
    return {
        **snapshot(),
        "swaps": list(ShiftSwap.objects.order_by("id").values()),
        "roster": list(RosterEntry.objects.order_by("id").values()),
        "handovers": list(Handover.objects.order_by("id").values()),
        "phrases": list(ServicePhrase.objects.order_by("id").values()),
        "invitations": list(SurveyInvitation.objects.order_by("id").values()),
        "all_audit": AuditRecord.objects.count(),
    }


@pytest.fixture
def desk(users):
    """The complaint desk with agent, agent2 and agent3, rostered for March and October 2026."""
    calendar_load_package(now=at(2026, 1, 1, 0, 0), years=[2026])
    desk_setup()
    team = Team.objects.get(code=COMPLAINT_DESK_TEAM)
    team.members.add(users["agent"], users["agent2"], users["agent3"])
    for month in (3, 9, 10):
        roster_generate(actor=users["manager"], team=team, year=2026, month=month, now=at(2026, month, 1, 0, 0))
    return team
