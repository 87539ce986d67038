"""The workspace pages of major complaints and money at the desk (issue 13)."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.compensation import services as money
from kesu.compensation.models import PettyCashVoucher
from kesu.incidents.models import ChecklistItem, MediaEnquiry
from tests.complaints.lifecycle import act
from tests.conftest import PASSWORD
from tests.incidents.conftest import everything

pytestmark = pytest.mark.django_db


def _client(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_a_major_complaints_page_shows_its_checklist_crisis_team_and_media(register, users, language):
    complaint = register(description="收到法院传票，顾客起诉我们。", category="other")
    page = _client("manager", language).get(f"/c/{complaint.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="checklist"' in html and 'id="crisis-team"' in html and 'id="media"' in html
    if language == "en":
        assert "Business licence copy (stamped)" in html
    elif language == "zh-hant":
        assert "準備營業執照複印件（請印）" in html
    else:
        assert "准备营业执照复印件（请印）" in html


def test_the_owner_ticks_an_item_off_in_the_workspace(register, users):
    complaint = register(description="收到法院传票，顾客起诉我们。", category="other")
    item = ChecklistItem.objects.filter(incident__complaint=complaint, owner=users["manager"]).first()
    response = _client("manager").post(f"/c/{complaint.number}/checklist/{item.pk}/done/", {"note": "已盖章"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_by == users["manager"] and item.note == "已盖章"


def test_someone_else_ticking_it_off_sees_the_refusal_and_nothing_is_written(register, users):
    complaint = register(description="收到法院传票，顾客起诉我们。", category="other")
    item = ChecklistItem.objects.filter(incident__complaint=complaint, owner=users["manager"]).first()
    before = everything()
    response = _client("agent").post(f"/c/{complaint.number}/checklist/{item.pk}/done/", {"note": "我做了"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the item" in html and "我做了" in html  # the message, and what was typed is kept
    assert everything() == before


def test_a_media_reply_by_an_agent_in_the_workspace_is_refused(register, users, now):
    from kesu.incidents import services

    complaint = register(description="记者打电话来询问此事。", channel="media", category="other")
    enquiry = services.media_enquiry_record(
        actor=users["agent"], number=complaint.number, outlet="电视台", reporter="", question="请回应", now=now
    )
    before = everything()
    response = _client("agent").post(f"/c/{complaint.number}/media/{enquiry.pk}/answer/", {"answer": "无可奉告"})
    assert response.status_code == 403
    assert everything() == before
    assert MediaEnquiry.objects.get(pk=enquiry.pk).answered_at is None


def test_vouchers_queue_approve_and_countersign(complaint_in, users, now, django_assert_max_num_queries):
    complaint = complaint_in("solution_proposed")
    act(users, "supervisor", complaint, "approve", now)
    voucher = money.voucher_request(
        actor=users["agent"], number=complaint.number, amount="30.00", payee="张三", purpose="退款", now=now
    )
    supervisor = _client("supervisor")
    with django_assert_max_num_queries(20):
        page = supervisor.get("/vouchers/")
    assert page.status_code == 200 and voucher.number in page.content.decode()
    assert supervisor.post(f"/vouchers/{voucher.pk}/approve/").status_code == 302
    assert PettyCashVoucher.objects.get(pk=voucher.pk).status == "paid"
    assert _client("manager").post(f"/vouchers/{voucher.pk}/countersign/").status_code == 302
    assert PettyCashVoucher.objects.get(pk=voucher.pk).status == "countersigned"


def test_agents_do_not_open_the_vouchers_queue(users):
    assert _client("agent").get("/vouchers/").status_code == 403


@pytest.mark.parametrize("path", ["/settings/checklists/", "/settings/compensation/"])
def test_managers_open_the_configuration_sections(users, path):
    assert _client("manager").get(path).status_code == 200
    assert _client("agent").get(path).status_code == 403


def test_a_template_item_is_edited_in_the_settings(users):
    from kesu.incidents.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(kind="court")
    response = _client("manager").post(
        f"/settings/checklists/{template.pk}/items/new/",
        {
            "position": "12",
            "text_zh_hans": "通知保险",
            "text_zh_hant": "通知保險",
            "text_en": "Tell the insurer",
            "owner_role": "manager",
            "due_hours": "8",
        },
    )
    assert response.status_code == 302
    assert template.items.filter(text_en="Tell the insurer").exists()


def test_the_manager_hands_an_item_over_and_the_new_owner_ticks_it_off(register, users):
    complaint = register(description="收到法院传票，顾客起诉我们。", category="other")
    item = ChecklistItem.objects.filter(incident__complaint=complaint, owner=users["manager"]).first()
    response = _client("manager").post(f"/c/{complaint.number}/checklist/{item.pk}/owner/", {"owner": "supervisor"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner == users["supervisor"]
    assert _client("supervisor").post(f"/c/{complaint.number}/checklist/{item.pk}/done/", {}).status_code == 302


def test_an_agent_handing_an_item_over_is_refused(register, users):
    complaint = register(description="收到法院传票，顾客起诉我们。", category="other")
    item = ChecklistItem.objects.filter(incident__complaint=complaint, owner=users["manager"]).first()
    before = everything()
    response = _client("agent").post(f"/c/{complaint.number}/checklist/{item.pk}/owner/", {"owner": "agent"})
    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_configuration_index_lists_the_new_sections(users, language):
    page = _client("manager", language).get("/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/settings/checklists/" in html and "/settings/compensation/" in html
