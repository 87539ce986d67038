"""IN-2, IN-6 and CL-1 at intake: delivery date and "sample kept" recorded, level 4 refused
(the handler sets it), and whoever registers a complaint reads it until it is handed over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import ValidationFailed
from kesu.triage.models import Category

from ..conftest import intake_payload

pytestmark = pytest.mark.django_db


def everything() -> tuple[int, int]:
    return Complaint.objects.count(), ComplaintEvent.objects.count()


def test_delivery_date_and_sample_kept_are_recorded(users, now):
    payload = intake_payload(
        product={"name": "牛奶", "delivery_date": "2026-11-20"},
        sample_kept=True,
    )
    complaint = complaint_register(actor=users["agent"], payload=payload, now=now)
    complaint.refresh_from_db()
    assert complaint.delivery_date == dt.date(2026, 11, 20)
    assert complaint.sample_kept is True


@pytest.mark.parametrize(
    ("product", "extra", "field"),
    [
        ({"delivery_date": "20.11.2026"}, {}, "product.delivery_date"),
        ({"delivery_date": "2999-01-01"}, {}, "product.delivery_date"),
        ({}, {"sample_kept": "maybe"}, "sample_kept"),
    ],
)
def test_bad_details_are_refused_naming_the_field(users, now, product, extra, field):
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        complaint_register(actor=users["agent"], payload=intake_payload(product=product, **extra), now=now)
    assert [e.field for e in refused.value.errors] == [field]
    assert everything() == before


def test_the_default_taxonomy_ships_level_4_reasons():
    level_3 = Category.objects.filter(level=3)
    assert level_3.exists()
    for category in level_3:
        assert Category.objects.filter(parent=category, level=4).exists(), category.code


def test_level_4_at_intake_is_refused_naming_the_field(users, now, api):
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        complaint_register(
            actor=users["agent"],
            payload=intake_payload(category="product_quality.food.expired.past_date"),
            now=now,
        )
    assert refused.value.errors[0].field == "category"
    assert refused.value.errors[0].code == "level_4_at_intake"
    response = api("agent", "en").post(
        "/api/v1/complaints", intake_payload(category="product_quality.food.foreign_matter.hair")
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "category"
    assert "level 3" in error["message"]
    assert everything() == before


def test_the_workspace_intake_form_records_the_details(users, now):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["agent"])
    response = client.post(
        "/new/",
        {
            "channel": "phone",
            "customer_name": "李四",
            "customer_phone": "13800139999",
            "description": "收到的电饭煲无法加热。",
            "urgency": "normal",
            "product_name": "电饭煲",
            "delivery_date": "2026-11-18",
            "sample_kept": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get(contact_name="李四")
    assert (complaint.delivery_date, complaint.sample_kept) == (dt.date(2026, 11, 18), True)
    page = client.get(f"/c/{complaint.number}/").content.decode()
    assert "已留样" in page


def test_a_bad_delivery_date_on_the_form_keeps_what_was_typed(users):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["agent"])
    before = everything()
    response = client.post(
        "/new/",
        {
            "channel": "phone",
            "customer_name": "李四",
            "customer_phone": "13800139998",
            "description": "收到的电饭煲无法加热。",
            "urgency": "normal",
            "delivery_date": "2999-01-01",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "cannot be in the future" in body
    assert "2999-01-01" in body
    assert everything() == before


def test_whoever_registers_reads_it_until_it_is_handed_over(users, now):
    from kesu.complaints.services.transitions import complaint_transition

    # A handler of 品质部 takes a call about billing (routed to 财务部).
    complaint = complaint_register(
        actor=users["handler"], payload=intake_payload(category="billing.overcharge"), now=now
    )
    assert complaint.department.code == "finance"
    assert visible_complaints(users["handler"]).filter(pk=complaint.pk).exists()
    complaint_transition(
        actor=users["agent"], number=complaint.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    assert visible_complaints(users["handler"]).filter(pk=complaint.pk).exists()
    complaint_transition(
        actor=users["supervisor"],
        number=complaint.number,
        action="assign",
        payload={"action": "assign", "department": "finance"},
        now=now,
    )
    assert not visible_complaints(users["handler"]).filter(pk=complaint.pk).exists()  # handed over
