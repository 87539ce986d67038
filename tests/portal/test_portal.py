from __future__ import annotations

import io

import pytest
from django.test import Client, override_settings

from kesu.complaints.models import Attachment, Complaint
from kesu.complaints.services.transitions import complaint_transition

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def filing(**overrides):
    data = {
        "name": "李四",
        "phone": "13912340000",
        "email": "",
        "description": "快递盒子压扁，杯子碎了",
        "product_name": "玻璃杯",
        "order_no": "SO-9",
        "demand": "补发",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def customer(db):
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_portal_home_and_form_render_with_privacy_notice(customer):
    assert customer.get("/portal/").status_code == 200
    html = customer.get("/portal/new/").content.decode()
    assert 'id="privacy"' in html and 'name="consent"' in html and 'name="photos"' in html


def test_filing_answers_with_number_and_expected_time(customer, users):
    photo = io.BytesIO(PNG)
    photo.name = "cup.png"
    response = customer.post("/portal/new/", {**filing(), "photos": [photo]}, follow=True)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == "web" and complaint.recorded_by is None
    html = response.content.decode()
    assert complaint.number in html
    assert str(complaint.reply_due.astimezone().year) in html
    assert Attachment.objects.get().complaint == complaint


def test_filing_without_consent_or_contact_keeps_what_was_typed(customer, users):
    response = customer.post("/portal/new/", filing(phone="", consent=""))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "consent" in errors and "phone" in errors
    assert "快递盒子压扁，杯子碎了" in response.content.decode()
    assert not Complaint.objects.exists()


def test_photos_must_be_pictures(customer, users):
    pdf = io.BytesIO(b"%PDF-1.4 test")
    pdf.name = "doc.pdf"
    response = customer.post("/portal/new/", {**filing(), "photos": [pdf]})
    assert response.status_code == 422
    assert response.context["photo_errors"]
    assert not Complaint.objects.exists()


def test_tracking_needs_number_and_contact(customer, register):
    complaint = register(customer={"name": "李四", "phone": "13912340000"})
    wrong = customer.post("/portal/track/", {"number": complaint.number, "contact": "13900000000"})
    unknown = customer.post("/portal/track/", {"number": "209901-99999", "contact": "13912340000"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert customer.get(f"/portal/c/{complaint.number}/").status_code == 302  # no access yet
    ok = customer.post("/portal/track/", {"number": complaint.number, "contact": "139 1234 0000"}, follow=True)
    assert ok.status_code == 200
    assert complaint.description in ok.content.decode()


def _tracked(customer, complaint, contact="13912340000"):
    customer.post("/portal/track/", {"number": complaint.number, "contact": contact})


def test_customer_accepts_an_approved_solution(customer, complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    _tracked(customer, complaint, complaint.contact_phone)
    page = customer.get(f"/portal/c/{complaint.number}/").content.decode()
    assert "I accept this solution" not in page  # still waiting for internal approval: not shown
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    page = customer.get(f"/portal/c/{complaint.number}/").content.decode()
    assert "¥50.00" in page
    response = customer.post(f"/portal/c/{complaint.number}/answer/", {"answer": "accept", "note": "好的"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "implementing"
    event = complaint.events.get(kind="customer_accept")
    assert event.actor is None and event.data["by"] == "customer" and not event.internal


def test_rejecting_needs_a_reason(customer, complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    _tracked(customer, complaint, complaint.contact_phone)
    response = customer.post(f"/portal/c/{complaint.number}/answer/", {"answer": "reject", "note": ""})
    assert response.status_code == 422
    assert response.context["answer"].errors["note"]
    customer.post(f"/portal/c/{complaint.number}/answer/", {"answer": "reject", "note": "金额太少"})
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_customer_rates_once_resolved(customer, complaint_in):
    complaint = complaint_in("resolved")
    _tracked(customer, complaint, complaint.contact_phone)
    missing = customer.post(f"/portal/c/{complaint.number}/rate/", {"comment": "?"})
    assert missing.status_code == 422
    assert (
        customer.post(
            f"/portal/c/{complaint.number}/rate/", {"satisfied": "yes", "score": "4", "comment": "处理及时"}
        ).status_code
        == 302
    )
    again = customer.post(f"/portal/c/{complaint.number}/rate/", {"satisfied": "no", "score": "1"})
    assert again.status_code == 409
    assert complaint.events.filter(kind="customer_rating").count() == 1
    assert "4" in customer.get(f"/portal/c/{complaint.number}/").content.decode()


def test_rating_before_resolution_is_refused(customer, complaint_in):
    complaint = complaint_in("investigating")
    _tracked(customer, complaint, complaint.contact_phone)
    response = customer.post(f"/portal/c/{complaint.number}/rate/", {"satisfied": "yes", "score": "5"})
    assert response.status_code == 409
    assert not complaint.events.filter(kind="customer_rating").exists()


def test_internal_notes_are_not_shown_to_the_customer(customer, complaint_in, users, now):
    complaint = complaint_in("acknowledged")
    complaint_transition(
        actor=users["agent"], number=complaint.number, action="escalate", payload={"reason": "内部：客户难缠"}, now=now
    )
    _tracked(customer, complaint, complaint.contact_phone)
    assert "客户难缠" not in customer.get(f"/portal/c/{complaint.number}/").content.decode()


@override_settings(KESU_PUBLIC_RATE_LIMIT="2/60")
def test_tracking_is_rate_limited(customer, register):
    complaint = register()
    for _ in range(2):
        customer.post("/portal/track/", {"number": complaint.number, "contact": "13900000000"})
    assert customer.post("/portal/track/", {"number": complaint.number, "contact": "x"}).status_code == 429


def test_portal_escapes_user_text(customer, users):
    customer.post("/portal/new/", filing(description="<script>alert(1)</script>"), follow=True)
    complaint = Complaint.objects.get()
    html = customer.get(f"/portal/c/{complaint.number}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_portal_pages_are_phone_ready(customer):
    html = customer.get("/portal/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
