"""Every list of complaints goes through visible_complaints(user): nothing of another department's
complaint (number, title) reaches a handler who may not read it."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import customer_history, customer_open_complaints

PHONE = "13812345670"


@pytest.fixture
def pair(register):
    """The same customer: a logistics complaint the quality handler may not read, then a quality one."""
    hidden = register(
        customer={"name": "张三", "phone": PHONE},
        category="logistics.late",
        title="秘密物流投诉",
        description="快递迟到十天。",
    )
    seen = register(customer={"name": "张三", "phone": PHONE}, description="牛奶有异味。")
    assert hidden.department.code == "logistics" and seen.department.code == "quality"
    return hidden, seen


def test_customer_history_leaves_out_what_the_handler_may_not_read(api, pair):
    hidden, seen = pair
    assert api("handler").get(f"/api/v1/complaints/{hidden.number}").status_code == 404

    response = api("handler").get(f"/api/v1/complaints/{seen.number}")

    assert response.status_code == 200
    assert response.json()["customer_history"] == []
    assert hidden.number not in response.content.decode()
    assert "秘密物流投诉" not in response.content.decode()


def test_customer_history_shows_it_to_organisation_wide_roles(api, pair):
    hidden, seen = pair
    body = api("supervisor").get(f"/api/v1/complaints/{seen.number}").json()
    assert [h["number"] for h in body["customer_history"]] == [hidden.number]


def test_selectors_take_the_user(users, pair):
    _hidden, seen = pair
    assert customer_history(user=users["handler"], customer_id=seen.customer_id) == [seen]
    assert list(customer_open_complaints(user=users["handler"], customer_id=seen.customer_id)) == [seen]
    assert len(customer_history(user=users["gm"], customer_id=seen.customer_id)) == 2


def test_intake_cannot_refer_to_a_complaint_the_actor_may_not_read(api, pair):
    hidden, _ = pair
    before = Complaint.objects.count()
    response = api("handler", language="en").post(
        "/api/v1/complaints",
        {
            "channel": "phone",
            "customer": {"name": "王五", "phone": "13812345679"},
            "description": "又坏了。",
            "related_to": hidden.number,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "related_to"
    assert Complaint.objects.count() == before
