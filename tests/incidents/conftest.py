from __future__ import annotations

from typing import Any

import pytest

from kesu.incidents.models import ChecklistItem, CrisisTeam, IncidentContact, MajorIncident, MediaEnquiry
from tests.complaints.lifecycle import snapshot


@pytest.fixture(autouse=True)
def _no_sign_in_limit(settings):
    settings.KESU_LOGIN_RATE_LIMIT = "100000/60"


def everything() -> dict[str, Any]:
    """What any major-incident write could touch."""
    return {
        **snapshot(),
        "incidents": list(MajorIncident.objects.order_by("id").values()),
        "items": list(ChecklistItem.objects.order_by("id").values()),
        "teams": list(CrisisTeam.objects.order_by("id").values()),
        "enquiries": list(MediaEnquiry.objects.order_by("id").values()),
        "contacts": list(IncidentContact.objects.order_by("id").values()),
    }
