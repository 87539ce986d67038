"""Several alternatives offered in one round (RS-3): the customer picks one, on the portal or the API."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.complaints.services.transitions import complaint_transition
from kesu.resolution.models import Solution
from tests.complaints.lifecycle import investigate

PHONE = "13800138555"


@pytest.fixture
def offered(register, users, now):
    complaint = register(customer={"name": "王五", "phone": PHONE})
    for action, who, params in [
        ("acknowledge", "agent", {}),
        ("assign", "supervisor", {"department": "quality", "assignee": "handler"}),
        ("start_investigation", "handler", {}),
    ]:
        complaint_transition(actor=users[who], number=complaint.number, action=action, payload=params, now=now)
    investigate(users, "handler", complaint, now)
    complaint_transition(
        actor=users["supervisor"],
        number=complaint.number,
        action="propose_solution",
        payload={
            "alternatives": [
                {"remedies": [{"type": "refund", "amount": "50.00"}]},
                {"remedies": [{"type": "exchange", "amount": "0"}, {"type": "voucher", "amount": "20.00"}]},
            ],
        },
        now=now,
    )
    return complaint


def test_public_accept_without_choosing_among_several_is_422(api, offered):
    response = api(None).post(f"/api/v1/public/complaints/{offered.number}/accept", {"contact": PHONE})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "alternative"
    assert Solution.objects.get(complaint=offered).accepted_alternative is None


def test_public_accept_of_the_second_offer(api, offered):
    response = api(None).post(
        f"/api/v1/public/complaints/{offered.number}/accept", {"contact": PHONE, "alternative": 2}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "implementing"
    assert Solution.objects.get(complaint=offered).accepted_alternative == 2


def test_portal_offers_a_choice_and_records_it(offered):
    client = Client()
    tracked = client.post("/portal/track/", {"number": offered.number, "contact": PHONE}, follow=True)
    assert tracked.status_code == 200
    page = client.get(f"/portal/c/{offered.number}/")
    html = page.content.decode()
    assert html.count('name="alternative"') == 2
    answered = client.post(f"/portal/c/{offered.number}/answer/", {"answer": "accept", "alternative": "2"})
    assert answered.status_code == 302
    assert Solution.objects.get(complaint=offered).accepted_alternative == 2
