"""Major incidents (SPEC DP-5, DP-6): checklists, reports, crisis team, media enquiries."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.complaints.services.classification import complaint_reclassify
from kesu.core.errors import PermissionDenied
from kesu.incidents import services
from kesu.incidents.models import ChecklistItem, ChecklistTemplate, IncidentContact, MajorIncident, MediaEnquiry
from kesu.notifications.models import OutboxMessage
from tests.incidents.conftest import everything

pytestmark = pytest.mark.django_db

COURT_ITEMS = [
    "Send the papers to marketing at once",
    "Business licence copy (stamped)",
    "Legal representative certificate (stamped)",
    "Lawyer's contract (stamped)",
    "Lawyer's power of attorney (stamped)",
    "Witness statements (originals)",
    "Physical evidence (originals)",
    "Photos of the scene (originals)",
    "Transport for the lawyer",
    "Follow up the outcome",
    "File all the papers",
]


def _court(register):
    return register(description="收到法院传票，顾客起诉我们。", category="other")


def test_every_kind_has_a_seeded_template():
    kinds = set(ChecklistTemplate.objects.values_list("kind", flat=True))
    assert kinds == {
        "injury_light",
        "injury_serious",
        "product_harm",
        "lost_valuables",
        "food_poisoning",
        "media",
        "regulator",
        "court",
        "professional_claimant",
    }


def test_a_court_summons_gets_the_court_checklist_with_owners_and_due_times(register, users, now):
    complaint = _court(register)
    incident = MajorIncident.objects.get(complaint=complaint)
    assert incident.kind == "court"
    items = list(ChecklistItem.objects.filter(incident=incident).order_by("position"))
    assert [i.text_en for i in items] == COURT_ITEMS
    assert items[1].owner == users["manager"]
    assert items[1].due_at == now + dt.timedelta(hours=48)
    assert items[5].owner == users["handler"]
    assert complaint.events.filter(kind="checklist_opened").count() == 1


def test_injury_kinds_light_serious_and_by_product(register):
    light = register(description="顾客在店内摔倒，膝盖擦伤。", category="safety.injury_on_premises")
    serious = register(description="顾客摔倒骨折，已送医。", category="safety.injury_on_premises")
    product = register(description="电热水壶漏电，顾客手被烫伤受伤。", category="product_quality")
    assert light.major_incident.kind == "injury_light"
    assert serious.major_incident.kind == "injury_serious"
    assert product.major_incident.kind == "product_harm"
    texts = list(serious.major_incident.items.values_list("text_en", flat=True))
    assert any("hospital" in t for t in texts) and any("insurer" in t for t in texts)
    assert any("major incident report" in t for t in texts)


def test_a_general_complaint_gets_no_checklist(register):
    complaint = register()
    assert not MajorIncident.objects.filter(complaint=complaint).exists()


def test_reclassifying_to_major_instantiates_the_checklist(register, users, now):
    complaint = register(description="记者打电话来询问此事。", category="other", severity="general")
    assert not MajorIncident.objects.filter(complaint=complaint).exists()
    complaint_reclassify(
        actor=users["manager"], number=complaint.number, payload={"severity": "major", "reason": "媒体"}, now=now
    )
    assert MajorIncident.objects.get(complaint=complaint).kind == "media"


def test_reports_go_to_the_configured_audiences_of_the_kind(register, users, now):
    IncidentContact.objects.create(audience="legal", name="法律顾问", email="legal@example.com")
    IncidentContact.objects.create(audience="insurer", name="保险公司", email="insurer@example.com")
    IncidentContact.objects.create(audience="marketing", name="行销处", email="marketing@example.com")
    _court(register)  # court: legal counsel yes, insurer no
    sent = set(OutboxMessage.objects.filter(kind__startswith="incident_report_").values_list("recipient", flat=True))
    assert sent == {"legal@example.com", "marketing@example.com"}
    OutboxMessage.objects.all().delete()
    register(description="顾客摔倒骨折，已送医。", category="safety.injury_on_premises")
    sent = set(OutboxMessage.objects.filter(kind__startswith="incident_report_").values_list("recipient", flat=True))
    assert sent == {"insurer@example.com", "marketing@example.com"}


def test_the_owner_ticks_an_item_off_through_the_api(register, users, api):
    complaint = _court(register)
    response = api("manager", "en").get(f"/api/v1/complaints/{complaint.number}/checklist")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "court"
    assert [i["text"] for i in body["items"]] == COURT_ITEMS
    first = body["items"][1]
    assert set(first) >= {"id", "text", "owner", "due_at", "done_at"} and first["owner"] == "manager"
    assert first["done_at"] is None
    done = api("manager", "en").post(
        f"/api/v1/complaints/{complaint.number}/checklist/{first['id']}/done", {"note": "已盖章"}
    )
    assert done.status_code == 200, done.content
    assert done.json()["done_at"] is not None and done.json()["done_by"] == "manager"
    item = ChecklistItem.objects.get(pk=first["id"])
    assert item.note == "已盖章" and item.done_by == users["manager"]
    assert complaint.events.filter(kind="checklist_item_done").count() == 1


def test_an_item_closed_by_someone_who_does_not_own_it_is_refused_and_nothing_is_written(register, api):
    complaint = _court(register)
    item = ChecklistItem.objects.filter(incident__complaint=complaint, owner__username="manager").first()
    before = everything()
    response = api("agent", "en").post(f"/api/v1/complaints/{complaint.number}/checklist/{item.pk}/done", {})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "not_item_owner"
    assert everything() == before


def test_no_checklist_on_a_general_complaint_is_404(register, api):
    complaint = register()
    assert api("manager", "en").get(f"/api/v1/complaints/{complaint.number}/checklist").status_code == 404


def test_overdue_items_escalate_once(register, users, now):
    complaint = _court(register)
    later = now + dt.timedelta(hours=5)  # the 4-hour item is overdue
    assert services.checklist_escalate_overdue(now=later) == 1
    item = ChecklistItem.objects.get(incident__complaint=complaint, position=1)
    assert item.escalated_at == later
    recipients = set(
        OutboxMessage.objects.filter(kind="checklist_overdue").values_list("recipient_user__username", flat=True)
    )
    assert recipients == {"manager", "gm"}
    assert complaint.events.filter(kind="checklist_item_overdue").count() == 1
    assert services.checklist_escalate_overdue(now=later) == 0


def test_media_enquiry_recorded_by_an_agent_answered_by_the_manager(register, users, now, api):
    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    created = api("agent", "en").post(
        f"/api/v1/complaints/{complaint.number}/media-enquiries",
        {"outlet": "都市报", "reporter": "王记者", "question": "贵公司如何回应？"},
    )
    assert created.status_code == 201, created.content
    enquiry_id = created.json()["id"]
    assert OutboxMessage.objects.filter(kind="media_enquiry", recipient_user=users["manager"]).count() == 1
    answered = api("manager", "en").post(
        f"/api/v1/complaints/{complaint.number}/media-enquiries/{enquiry_id}/answer", {"answer": "我们正在调查。"}
    )
    assert answered.status_code == 200
    assert answered.json()["answered_by"] == "manager"


@pytest.mark.parametrize("role", ["agent", "supervisor", "gm", "handler"])
def test_a_media_reply_by_anyone_but_the_manager_is_refused_and_nothing_is_written(register, users, now, api, role):
    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    enquiry = services.media_enquiry_record(
        actor=users["agent"], number=complaint.number, outlet="电视台", reporter="", question="请回应", now=now
    )
    before = everything()
    response = api(role, "en").post(
        f"/api/v1/complaints/{complaint.number}/media-enquiries/{enquiry.pk}/answer", {"answer": "无可奉告"}
    )
    assert response.status_code in (403, 404)
    assert everything() == before
    assert MediaEnquiry.objects.get(pk=enquiry.pk).answered_at is None


def test_media_enquiry_without_outlet_names_the_field(register, api):
    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    before = everything()
    response = api("agent", "en").post(
        f"/api/v1/complaints/{complaint.number}/media-enquiries", {"outlet": "", "question": "?"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "outlet"
    assert everything() == before


def test_crisis_team_convened_and_recorded(register, users, now, api):
    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    response = api("manager", "en").post(
        f"/api/v1/complaints/{complaint.number}/crisis-team",
        {"lead": "gm", "members": ["manager", "supervisor"], "purpose": "媒体危机"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["members"] == ["manager", "supervisor"]
    team = services.crisis_team_record(actor=users["gm"], number=complaint.number, decisions="统一口径", now=now)
    assert team.decisions == "统一口径"
    assert complaint.events.filter(kind__in=["crisis_team_convened", "crisis_team_recorded"]).count() == 2


def test_crisis_team_convened_by_an_agent_is_refused(register, api):
    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    before = everything()
    response = api("agent", "en").post(
        f"/api/v1/complaints/{complaint.number}/crisis-team",
        {"lead": "gm", "members": ["manager"], "purpose": "媒体危机"},
    )
    assert response.status_code == 403
    assert everything() == before


def test_only_managers_edit_templates(users, now):
    template = ChecklistTemplate.objects.get(kind="court")
    before = everything()
    with pytest.raises(PermissionDenied):
        services.template_item_save(
            actor=users["agent"], template=template, item=None, values={"text_en": "x"}, now=now
        )
    assert everything() == before
    row = services.template_item_save(
        actor=users["manager"],
        template=template,
        item=None,
        values={
            "position": 12,
            "text_zh_hans": "通知保险",
            "text_zh_hant": "通知保險",
            "text_en": "Tell the insurer",
            "owner_role": "manager",
            "due_hours": 8,
        },
        now=now,
    )
    assert row is not None and template.items.count() == 12
