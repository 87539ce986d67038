"""Major incidents (SPEC DP-5, DP-6): reads."""

from __future__ import annotations

from typing import Any

from kesu.accounts.models import User
from kesu.accounts.permissions import FRONT_DESK
from kesu.complaints.models import Complaint
from kesu.incidents.models import ChecklistItem, CrisisTeam, MajorIncident, MediaEnquiry
from kesu.incidents.services import INCIDENT_LEADS, SPOKESPERSON_ROLES
from kesu.triage.models import Severity


def incident_of(complaint: Complaint) -> MajorIncident | None:
    return MajorIncident.objects.filter(complaint=complaint).first()


def checklist_items(incident: MajorIncident) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(incident=incident)
        .select_related("owner", "done_by", "evidence")
        .order_by("position", "id")
    )


def incident_panel(*, complaint: Complaint, user: User) -> dict[str, Any]:
    """What the complaint page shows of a major complaint: checklist, crisis team, media enquiries."""
    major = complaint.severity == Severity.MAJOR
    incident = incident_of(complaint)
    items = checklist_items(incident) if incident else []
    team = CrisisTeam.objects.filter(complaint=complaint).select_related("lead").first()
    enquiries = list(
        MediaEnquiry.objects.filter(complaint=complaint).select_related("recorded_by", "answered_by").order_by("id")
    )
    return {
        "major": major,
        "incident": incident,
        "items": items,
        "team": team,
        "team_members": list(team.members.order_by("username")) if team else [],
        "enquiries": enquiries,
        "can_open": major and incident is None and user.role in INCIDENT_LEADS,
        "can_convene": major and team is None and user.role in INCIDENT_LEADS,
        "can_record_team": team is not None and (user.role in INCIDENT_LEADS or team.lead_id == user.pk),
        "can_record_media": user.role in FRONT_DESK,
        "can_answer_media": user.role in SPOKESPERSON_ROLES,
        "can_reassign": user.role in INCIDENT_LEADS,
        "user_id": user.pk,
    }
