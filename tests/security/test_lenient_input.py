"""Input that used to be stored silently (issue 9, finding 7); each decision is in docs/input.md."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.complaints.models import Complaint
from tests.conftest import intake_payload

URL = "/api/v1/complaints"


def refused(api, field: str, code: str | None = None, **overrides):
    before = Complaint.objects.count()
    response = api("agent", language="en").post(URL, intake_payload(**overrides))
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert Complaint.objects.count() == before
    return errors[0]["message"]


@pytest.mark.parametrize("amount,stored", [(50, "50.00"), (50.5, "50.50"), (0.1, "0.10"), (1e3, "1000.00")])
def test_an_amount_as_a_json_number_is_taken_as_written(api, users, amount, stored):
    response = api("agent").post(URL, intake_payload(amount_claimed=amount))
    assert response.status_code == 201
    assert response.json()["amount_claimed"] == stored


@pytest.mark.parametrize("amount", [0.125, 1e-3, 1e20])
def test_a_json_number_that_is_no_amount_is_refused(api, users, amount):
    refused(api, "amount_claimed", amount_claimed=amount)


@pytest.mark.parametrize("amount", ["５０.００", "５０", "٥٠"])
def test_an_amount_in_full_width_or_other_digits_is_refused(api, users, amount):
    message = refused(api, "amount_claimed", amount_claimed=amount)
    assert message == "Enter the amount with the digits 0–9 (half-width), e.g. 128.50."


def test_a_remedy_amount_in_full_width_digits_is_refused(api, complaint_in):
    complaint = complaint_in("investigating")
    response = api("handler", language="en").post(
        f"{URL}/{complaint.number}/transitions",
        {"action": "propose_solution", "remedies": [{"type": "refund", "amount": "５０"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "remedies[0].amount"
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


@pytest.mark.parametrize("product", [[], "", "milk", 5, [{"name": "milk"}]])
def test_a_product_that_is_not_an_object_is_refused(api, users, product):
    message = refused(api, "product", product=product)
    assert message == "Send the product as an object."


def test_a_null_product_is_no_product(api, users):
    assert api("agent").post(URL, intake_payload(product=None)).status_code == 201


def test_received_at_slightly_in_the_future_is_recorded_as_now(api, users):
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3)).isoformat()
    response = api("agent").post(URL, intake_payload(received_at=ahead))
    assert response.status_code == 201
    complaint = Complaint.objects.get(number=response.json()["number"])
    assert complaint.received_at <= dt.datetime.now(dt.UTC)


def test_received_at_far_in_the_future_is_refused(api, users):
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)).isoformat()
    refused(api, "received_at", received_at=ahead)


def test_a_public_complaint_with_a_staff_channel_says_it_was_recorded_as_web(db, users):
    from django.test import Client

    response = Client().post(
        "/api/v1/public/complaints", data=intake_payload(channel="regulator"), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "web"
    assert Complaint.objects.get(number=response.json()["number"]).channel == "web"
