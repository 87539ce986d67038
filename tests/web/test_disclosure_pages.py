"""The disclosure pages (SPEC RP-5): publishing from the complaint page, the public register on the
portal, the JR/T export and its mapping."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kesu.reports.models import DisclosureCode, PublishedOutcome

pytestmark = pytest.mark.django_db

SUMMARY = "顾客反映购买的牛奶有异味。"
OUTCOME = "经检验属实，已退款并致歉。"


def test_a_manager_publishes_from_the_complaint_page_and_the_portal_shows_it(as_user, complaint_in, client):
    complaint = complaint_in("closed")
    manager = as_user("manager")
    page = manager.get(f"/c/{complaint.number}/").content.decode()
    assert 'id="h-publication"' in page and "发布处理结果" in page
    response = manager.post(f"/c/{complaint.number}/publication/", {"summary": SUMMARY, "outcome": OUTCOME})
    assert response.status_code == 302
    assert PublishedOutcome.objects.get(complaint=complaint).summary == SUMMARY
    public = client.get("/portal/outcomes/").content.decode()
    assert SUMMARY in public and OUTCOME in public and "产品质量" in public
    for planted in (complaint.number, complaint.contact_name, complaint.contact_phone, complaint.description):
        assert planted not in public


def test_a_text_that_names_the_customer_is_refused_by_the_field_and_kept(as_user, complaint_in):
    complaint = complaint_in("closed")
    typed = f"{complaint.contact_name}买的牛奶有异味"
    response = as_user("manager").post(f"/c/{complaint.number}/publication/", {"summary": typed, "outcome": OUTCOME})
    assert response.status_code == 422
    html = response.content.decode()
    assert typed in html and OUTCOME in html  # the form keeps what was typed
    assert "顾客姓名" in html or "姓名" in html
    assert not PublishedOutcome.objects.exists()


def test_the_panel_is_for_managers_and_an_agent_is_refused(as_user, complaint_in):
    complaint = complaint_in("closed")
    assert 'id="h-publication"' not in as_user("agent").get(f"/c/{complaint.number}/").content.decode()
    response = as_user("agent").post(f"/c/{complaint.number}/publication/", {"summary": SUMMARY, "outcome": OUTCOME})
    assert response.status_code == 403
    assert not PublishedOutcome.objects.exists()


def test_withdrawing_from_the_list_takes_it_off_the_portal(as_user, complaint_in, client):
    complaint = complaint_in("closed")
    manager = as_user("manager")
    manager.post(f"/c/{complaint.number}/publication/", {"summary": SUMMARY, "outcome": OUTCOME})
    listing = manager.get("/reports/disclosure/").content.decode()
    assert complaint.number in listing
    assert manager.post(f"/c/{complaint.number}/publication/withdraw/", {"next": "list"}).status_code == 302
    assert SUMMARY not in client.get("/portal/outcomes/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_export_is_a_spreadsheet_with_headers_in_the_readers_language(as_user, register, now, language):
    register(category="service_attitude.rude", channel="walk_in")
    day = timezone.localdate(now).isoformat()
    response = as_user("supervisor", language=language).get(
        "/reports/disclosure/export.xlsx", {"date_from": day, "date_to": day}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    header = {"zh-hans": "渠道代码（A）", "zh-hant": "渠道代碼（A）", "en": "channel code (A)"}[language]
    assert header in rows[0]
    assert rows[1][1:3] == ("A0101", "营业现场") and rows[1][-2:] == (1, 0)


def test_a_bad_code_is_refused_by_its_field_and_the_form_keeps_it(as_user):
    before = list(DisclosureCode.objects.values_list("axis", "source", "code"))
    response = as_user("manager").post(
        "/reports/disclosure/codes/", {"axis": "reason", "source": "service_attitude", "code": "A99", "label": "服务"}
    )
    assert response.status_code == 422
    assert 'value="A99"' in response.content.decode()
    assert list(DisclosureCode.objects.values_list("axis", "source", "code")) == before
    ok = as_user("manager").post(
        "/reports/disclosure/codes/",
        {"axis": "reason", "source": "service_attitude", "code": "C01", "label": "服务态度"},
    )
    assert ok.status_code == 302
