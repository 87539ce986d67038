"""Public endpoints: a customer files a complaint and follows it without an account."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client

from kesu.complaints.models import Complaint, ComplaintEvent, MonthlyCounter, Status
from kesu.complaints.services.transitions import complaint_transition
from kesu.customers.models import Customer
from kesu.notifications.models import OutboxMessage
from tests.conftest import SHANGHAI, intake_payload

CREATE = "/api/v1/public/complaints"
INTERNAL_FIELDS = {
    "assignee",
    "department",
    "escalation_level",
    "severity",
    "severity_rule",
    "customer",
    "recorded_by",
    "actions",
    "external_ref",
}
FROZEN = dt.datetime(2026, 11, 23, 10, 0, 30, tzinfo=SHANGHAI)


def public_payload(**overrides):
    payload = intake_payload(
        channel="web", customer={"name": "陈女士", "phone": "13912345678", "email": "Chen@Example.com"}
    )
    payload.update(overrides)
    return payload


@pytest.fixture
def public(db):
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def post(client: Client, body, **extra):
    return client.post(CREATE, data=json.dumps(body), content_type="application/json", **extra)


def track(client: Client, number: str, contact: str, **extra):
    return client.get(f"{CREATE}/{number}", {"contact": contact}, **extra)


@pytest.fixture
def filed(public, users):
    """A complaint filed through the public endpoint; returns its number."""
    response = post(public, public_payload())
    assert response.status_code == 201, response.content
    return response.json()["number"]


def test_create_returns_201_with_the_number(public, users):
    response = post(public, public_payload())

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"\d{6}-\d{5}", body["number"])
    assert (body["status"], Complaint.objects.get().number) == ("registered", body["number"])


def test_create_answers_with_the_expected_reply_time(public, users):
    body = post(public, public_payload()).json()

    complaint = Complaint.objects.get(number=body["number"])
    assert dt.datetime.fromisoformat(body["expected_reply_by"]) == complaint.reply_due


def test_create_is_recorded_by_nobody(filed):
    assert Complaint.objects.get(number=filed).recorded_by is None


def test_create_keeps_a_customer_channel(public, users):
    number = post(public, public_payload(channel="email")).json()["number"]

    assert Complaint.objects.get(number=number).channel == "email"


def test_create_cannot_claim_a_staff_channel(public, users):
    number = post(public, public_payload(channel="regulator")).json()["number"]

    assert Complaint.objects.get(number=number).channel == "web"


def test_severity_sent_by_the_customer_is_ignored(public, users):
    number = post(public, public_payload(severity="major", description="商品价格标错")).json()["number"]

    complaint = Complaint.objects.get(number=number)
    assert (complaint.severity, complaint.severity_source) == ("general", "default")


def test_severity_rules_still_apply(public, users):
    number = post(public, public_payload(severity="general", description="孩子在店内摔倒受伤")).json()["number"]

    complaint = Complaint.objects.get(number=number)
    assert (complaint.severity, complaint.severity_rule.code) == ("major", "injury")


def test_settlement_sent_by_the_customer_is_ignored(public, users):
    number = post(public, public_payload(settlement={"kind": "on_the_spot", "result": "已解决"})).json()["number"]

    complaint = Complaint.objects.get(number=number)
    assert (complaint.status, complaint.settled_on_spot) == (Status.REGISTERED, False)


def test_received_at_cannot_be_set_by_the_customer(public, users):
    response = post(public, public_payload(received_at="2026-01-05T09:00:00+08:00"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": "received_at", "message": "The time received is set by the system.", "code": "forbidden"}]
    }
    assert Complaint.objects.count() == 0


def test_bad_input_names_the_field_and_stores_nothing(public, users):
    response = post(public, public_payload(customer={"name": "陈女士", "phone": "123"}))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["customer.phone"]
    assert (
        Complaint.objects.count(),
        Customer.objects.count(),
        ComplaintEvent.objects.count(),
        MonthlyCounter.objects.count(),
        OutboxMessage.objects.count(),
    ) == (0, 0, 0, 0, 0)


def test_body_over_the_limit_is_refused_with_413(public, users, settings):
    settings.KESU_MAX_JSON_BODY = 1024

    response = post(public, public_payload(description="长" * 1000))

    assert response.status_code == 413
    assert Complaint.objects.count() == 0


def test_track_by_phone(public, filed):
    response = track(public, filed, "13912345678")

    assert response.status_code == 200
    assert (response.json()["number"], response.json()["status"]) == (filed, "registered")


def test_track_by_phone_in_another_format(public, filed):
    assert track(public, filed, "+86 139 1234 5678").status_code == 200


def test_track_by_email_in_any_case(public, filed):
    assert track(public, filed, "chen@EXAMPLE.com").status_code == 200


def test_unknown_number_and_wrong_contact_give_the_same_404(public, filed):
    unknown = track(public, "202611-99999", "13912345678")
    wrong = track(public, filed, "13800000000")

    assert (unknown.status_code, wrong.status_code) == (404, 404)
    assert unknown.content == wrong.content


@pytest.mark.parametrize("contact", ["", "not-a-contact", "other@example.com", "13912345679"])
def test_any_wrong_contact_gives_the_same_404_as_an_unknown_number(public, filed, contact):
    unknown = track(public, "202611-99999", "13912345678")

    wrong = track(public, filed, contact)

    assert (wrong.status_code, wrong.content) == (404, unknown.content)


def test_404_says_nothing_about_which_part_was_wrong(public, filed):
    response = track(public, filed, "13800000000", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json() == {
        "errors": [{"field": None, "message": "No complaint matches this number and contact.", "code": "not_found"}]
    }


def test_view_has_no_internal_fields(public, filed):
    body = track(public, filed, "13912345678").json()

    assert INTERNAL_FIELDS & set(body) == set()


def test_view_shows_no_internal_notes_or_staff(public, filed, users, now):
    complaint_transition(
        actor=users["agent"], number=filed, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    complaint_transition(
        actor=users["supervisor"],
        number=filed,
        action="assign",
        payload={"action": "assign", "department": "quality", "assignee": "handler", "note": "内部备注：疑似职业打假"},
        now=now,
    )

    response = track(public, filed, "13912345678")

    text = response.content.decode()
    assert ("内部备注" in text, "handler" in text, "quality" in text) == (False, False, False)


def test_view_timeline_lists_only_public_events(public, filed, users, now):
    complaint_transition(
        actor=users["agent"], number=filed, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    complaint_transition(
        actor=users["supervisor"],
        number=filed,
        action="assign",
        payload={"action": "assign", "department": "quality"},
        now=now,
    )

    timeline = track(public, filed, "13912345678").json()["timeline"]

    assert [(e["kind"], e["status"]) for e in timeline] == [
        ("registered", "registered"),
        ("acknowledge", "acknowledged"),
    ]


def test_view_status_label_is_translated(public, filed):
    body = track(public, filed, "13912345678").json()

    assert body["status_label"] == "已登记"


# --- rate limit -------------------------------------------------------------------------


@pytest.fixture
def limited(settings):
    settings.KESU_PUBLIC_RATE_LIMIT = "3/60"
    with time_machine.travel(FROZEN, tick=False):  # one fixed window
        yield


def test_create_is_refused_with_429_after_the_configured_count(public, users, limited):
    statuses = [post(public, public_payload()).status_code for _ in range(4)]

    assert statuses == [201, 201, 201, 429]


def test_refused_create_stores_nothing(public, users, limited):
    for _ in range(3):
        post(public, public_payload())

    post(public, public_payload())

    assert Complaint.objects.count() == 3


def test_429_carries_the_error_shape(public, users, limited):
    for _ in range(3):
        post(public, public_payload())

    response = post(public, public_payload(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.json() == {
        "errors": [{"field": None, "message": "Too many requests; try again in 30 seconds.", "code": "rate_limited"}]
    }


def test_tracking_is_refused_with_429_after_the_configured_count(public, filed, limited):
    statuses = [track(public, filed, "13912345678").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_wrong_contacts_count_towards_the_limit(public, filed, limited):
    statuses = [track(public, filed, f"1380000000{i}").status_code for i in range(4)]

    assert statuses == [404, 404, 404, 429]


def test_limit_is_per_client(public, users, limited):
    for _ in range(3):
        post(public, public_payload())

    response = post(public, public_payload(), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 201
