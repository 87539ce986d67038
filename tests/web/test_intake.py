from __future__ import annotations

import io

from kesu.complaints.models import Attachment, Complaint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(**overrides):
    data = {
        "channel": "phone",
        "customer_name": "张三",
        "customer_phone": "13800138000",
        "description": "收到的杯子碎了",
        "urgency": "normal",
        "title": "杯子破损",
        "demand": "换货",
        "amount_claimed": "",
        "product_quantity": "",
    }
    data.update(overrides)
    return data


def test_intake_registers_a_phone_complaint(as_user):
    response = as_user("agent").post("/new/", form())
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/c/{complaint.number}/"
    assert complaint.channel == "phone" and complaint.contact_phone == "+8613800138000"
    assert complaint.title == "杯子破损"


def test_a_wrong_field_keeps_everything_typed(as_user):
    response = as_user("agent").post(
        "/new/", form(customer_phone="12345", amount_claimed="-5", location="一楼", order_no="SO-77")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"customer_phone", "amount_claimed"}
    html = response.content.decode()
    for typed in ('value="12345"', 'value="-5"', 'value="一楼"', 'value="SO-77"', "收到的杯子碎了", 'value="杯子破损"'):
        assert typed in html
    assert not Complaint.objects.exists()


def test_received_at_from_the_browser_is_read_in_local_time(as_user, now):
    from django.utils import timezone

    local = timezone.localtime(now).replace(second=0, microsecond=0) - __import__("datetime").timedelta(hours=1)
    as_user("agent").post("/new/", form(received_at=local.strftime("%Y-%m-%dT%H:%M")))
    assert Complaint.objects.get().received_at == local


def test_repeat_complaint_warning_lists_the_customers_open_complaints(as_user, register):
    earlier = register(customer={"name": "张三", "phone": "13800138000"})
    response = as_user("agent").post(
        "/new/check/", {"customer_phone": "138 0013 8000", "channel": "phone", "description": "又坏了"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert earlier.number in html
    assert 'name="related_to"' in html


def test_linking_a_repeat_complaint(as_user, register):
    earlier = register(customer={"name": "张三", "phone": "13800138000"})
    as_user("agent").post("/new/", form(related_to=earlier.number))
    assert Complaint.objects.exclude(pk=earlier.pk).get().related_to == earlier


def test_severity_suggestion_is_shown(as_user):
    html = as_user("agent").post("/new/check/", {"channel": "media", "description": "记者来电"}).content.decode()
    assert "badge major" in html


def test_intake_with_evidence(as_user):
    photo = io.BytesIO(PNG)
    photo.name = "cup.png"
    response = as_user("agent").post("/new/", {**form(), "evidence": [photo]})
    assert response.status_code == 302
    assert Attachment.objects.get().complaint == Complaint.objects.get()


def test_wrong_evidence_stores_nothing_and_reports_every_problem(as_user):
    bad = io.BytesIO(b"#!/bin/sh\nrm -rf /\x00")
    bad.name = "run.sh"
    response = as_user("agent").post("/new/", {**form(customer_name=""), "evidence": [bad]})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"customer_name"}
    assert response.context["evidence_errors"]
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


def test_auditor_cannot_register(as_user):
    assert as_user("auditor").get("/new/").status_code == 403
    assert as_user("auditor").post("/new/", form()).status_code == 403
    assert not Complaint.objects.exists()
