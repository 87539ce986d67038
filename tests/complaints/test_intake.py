"""Registering a complaint (`complaint_register`): what is stored, routed and written with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent, MonthlyCounter, Status
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.customers.models import Customer
from tests.conftest import SHANGHAI, intake_payload

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def test_registration_stores_what_was_given(register):
    complaint = register(
        now_=NOW,
        title="牛奶变质",
        received_at="2026-11-22T18:30:00+08:00",
        urgency="urgent",
        product={"name": "鲜牛奶", "sku": "M-1", "lot": "L2026", "order_no": "SO-9", "quantity": 2},
        location="南京路店",
        demand="退款并道歉",
        amount_claimed="25.80",
        overseas=True,
        external_ref="12315-77",
    )

    complaint.refresh_from_db()
    assert (complaint.status, complaint.channel, complaint.urgency) == (Status.REGISTERED, "phone", "urgent")
    assert complaint.received_at == dt.datetime(2026, 11, 22, 18, 30, tzinfo=SHANGHAI)
    assert (
        complaint.product_name,
        complaint.product_sku,
        complaint.product_lot,
        complaint.order_no,
        complaint.product_quantity,
    ) == ("鲜牛奶", "M-1", "L2026", "SO-9", 2)
    assert (
        complaint.location,
        complaint.demand,
        complaint.amount_claimed,
        complaint.overseas,
        complaint.external_ref,
    ) == ("南京路店", "退款并道歉", Decimal("25.80"), True, "12315-77")


def test_received_at_defaults_to_now(register):
    complaint = register(now_=NOW)

    assert complaint.received_at == NOW


def test_recorded_by_is_the_acting_user(register, users):
    complaint = register(actor=users["supervisor"], now_=NOW)

    assert complaint.recorded_by == users["supervisor"]


def test_texts_are_stripped(register):
    complaint = register(now_=NOW, description="  收到的牛奶已过期。 \n", title=" 过期 ")

    assert (complaint.title, complaint.description) == ("过期", "收到的牛奶已过期。")


def test_phone_is_stored_in_e164(register):
    complaint = register(now_=NOW, customer={"name": "王五", "phone": "138-1234-5678"})

    assert complaint.contact_phone == "+8613812345678"


def test_category_routes_to_its_department(register):
    complaint = register(now_=NOW, category="product_quality.food.expired")

    assert complaint.department.code == "quality"


def test_deeper_category_with_its_own_department_wins(register):
    complaint = register(now_=NOW, category="logistics.wrong_item")

    assert complaint.department.code == "sales"


def test_without_category_the_complaint_desk_owns_it(register):
    complaint = register(now_=NOW, category=None)

    assert complaint.department.code == "customer_service"


def test_registration_writes_one_public_timeline_event(register, users):
    complaint = register(now_=NOW)

    events = list(
        ComplaintEvent.objects.filter(complaint=complaint).values_list(
            "kind", "to_status", "actor__username", "internal"
        )
    )
    assert events == [("registered", "registered", "agent", False)]


def test_registration_writes_one_audit_record(register):
    complaint = register(now_=NOW)

    records = list(AuditRecord.objects.filter(object_id=complaint.number).values_list("action", "actor"))
    assert records == [("complaint.registered", "agent")]


def test_deadlines_are_set_at_registration(register):
    complaint = register(now_=NOW)

    assert complaint.acknowledge_due is not None
    assert complaint.reply_due is not None
    assert complaint.close_due is not None


def test_related_complaint_is_linked(register):
    earlier = register(now_=NOW)

    repeat = register(now_=NOW, related_to=earlier.number)

    assert repeat.related_to == earlier


def test_unknown_related_complaint_is_refused_and_nothing_stored(register):
    register(now_=NOW)
    before = (
        Complaint.objects.count(),
        Customer.objects.count(),
        list(MonthlyCounter.objects.values_list("period", "last_value")),
    )

    with pytest.raises(ValidationFailed) as refused:
        register(now_=NOW, related_to="202611-99999")

    assert [(e.field, e.code) for e in refused.value.errors] == [("related_to", "not_found")]
    assert (
        Complaint.objects.count(),
        Customer.objects.count(),
        list(MonthlyCounter.objects.values_list("period", "last_value")),
    ) == before


def test_settled_on_the_spot_is_registered_and_closed(register):
    complaint = register(now_=NOW, settlement={"kind": "on_the_spot", "result": "当场更换", "customer_answer": "满意"})

    complaint.refresh_from_db()
    assert (complaint.status, complaint.settled_on_spot, complaint.result) == (Status.CLOSED, True, "当场更换")


def test_resolved_contact_is_registered_closed_and_marked(register):
    complaint = register(now_=NOW, settlement={"kind": "resolved_contact", "result": "已解释退货政策"})

    complaint.refresh_from_db()
    assert (complaint.status, complaint.is_resolved_contact) == (Status.CLOSED, True)


def test_settlement_at_intake_leaves_two_events(register):
    complaint = register(now_=NOW, settlement={"kind": "on_the_spot", "result": "当场更换"})

    assert list(complaint.events.values_list("kind", "from_status", "to_status")) == [
        ("registered", "", "registered"),
        ("on_the_spot", "registered", "closed"),
    ]


def test_settlement_without_staff_is_refused_and_nothing_stored(users):
    payload = intake_payload(settlement={"kind": "on_the_spot", "result": "当场更换"})

    with pytest.raises(PermissionDenied):
        complaint_register(actor=None, payload=payload, now=NOW)

    assert (
        Complaint.objects.count(),
        Customer.objects.count(),
        ComplaintEvent.objects.count(),
        AuditRecord.objects.count(),
        MonthlyCounter.objects.count(),
    ) == (0, 0, 0, 0, 0)


def test_auditor_may_not_register(users):
    with pytest.raises(PermissionDenied):
        complaint_register(actor=users["auditor"], payload=intake_payload(), now=NOW)

    assert Complaint.objects.count() == 0
