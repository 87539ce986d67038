"""One API, one shape (issue 9, finding 14)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kesu.complaints.models import Complaint
from tests.conftest import SHANGHAI


def test_created_answer_and_list_rows_carry_the_links(api, register, users):
    first = register()
    client = api("agent", language="en")
    created = client.post(
        "/api/v1/complaints",
        {
            "channel": "phone",
            "customer": {"name": "张三", "phone": first.contact_phone},
            "description": "又坏了。",
            "related_to": first.number,
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["recorded_by"] == "agent"
    assert body["related_to"] == first.number
    rows = {r["number"]: r for r in client.get("/api/v1/complaints").json()["results"]}
    assert rows[body["number"]]["related_to"] == first.number
    assert rows[body["number"]]["recorded_by"] == "agent"
    detail = client.get(f"/api/v1/complaints/{body['number']}").json()
    for key in ("recorded_by", "related_to", "merged_into"):
        assert rows[body["number"]][key] == detail[key] == body[key]


def test_list_rows_carry_merged_into(api, complaint_in):
    merged = complaint_in("merged")
    row = next(r for r in api("supervisor").get("/api/v1/complaints").json()["results"] if r["number"] == merged.number)
    assert row["merged_into"] == merged.merged_into.number


def test_received_filters_accept_a_plain_date(api, register, users):
    inside = register(received_at="2026-11-02T00:30:00+08:00")  # 1 November 16:30 UTC
    register(received_at="2026-11-01T23:30:00+08:00")
    client = api("agent")
    for params in (
        {"received_from": "2026-11-02", "received_to": "2026-11-03"},
        {"received_from": "2026-11-02T00:00:00+08:00", "received_to": "2026-11-03T00:00:00+08:00"},
    ):
        response = client.get("/api/v1/complaints", **params)
        assert response.status_code == 200, response.content
        assert [r["number"] for r in response.json()["results"]] == [inside.number]


@pytest.mark.parametrize(
    "name,value",
    [
        ("status", "nonsense"),
        ("status", "registered,nonsense"),
        ("severity", "huge"),
        ("channel", "pigeon"),
        ("category", "no.such.code"),
        ("department", "nowhere"),
        ("assignee", "nobody"),
    ],
)
def test_an_unknown_filter_value_is_a_422(api, register, name, value):
    register()
    response = api("agent", language="en").get("/api/v1/complaints", **{name: value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == name


@pytest.mark.parametrize(
    "name,value",
    [
        ("status", "registered,acknowledged"),
        ("severity", "general"),
        ("channel", "phone"),
        ("category", "product_quality"),
        ("department", "quality"),
        ("assignee", "handler"),
    ],
)
def test_known_filter_values_still_filter(api, register, name, value):
    register()
    assert api("agent").get("/api/v1/complaints", **{name: value}).status_code == 200


TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$")


def _times(value, found):
    if isinstance(value, dict):
        for v in value.values():
            _times(v, found)
    elif isinstance(value, list):
        for v in value:
            _times(v, found)
    elif isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        found.append(value)
    return found


def test_every_time_in_one_format(api, complaint_in, now):
    complaint = complaint_in("investigating")
    Complaint.objects.filter(pk=complaint.pk).update(received_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    client = api("supervisor")
    answers = [client.get(f"/api/v1/complaints/{complaint.number}").json(), client.get("/api/v1/complaints").json()]
    times = _times(answers, [])
    assert times
    formats = {("Z" if t.endswith("Z") else t[-6:], "." in t) for t in times}
    assert len(formats) == 1, formats
    assert all(TIME.match(t) for t in times), times
