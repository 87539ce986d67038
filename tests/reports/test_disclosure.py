"""The public register of outcomes and the JR/T 0169-2018 export (SPEC RP-5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.reports.disclosure import (
    disclosure_code_set,
    jrt_export,
    outcome_publish,
    outcome_withdraw,
    public_outcomes,
)
from kesu.reports.models import PublishedOutcome
from tests.complaints.lifecycle import snapshot

pytestmark = pytest.mark.django_db

SUMMARY = "顾客反映购买的牛奶有异味。"
OUTCOME = "经检验属实，已为顾客退款并致歉，门店已加强临期商品检查。"


def _published_snapshot():
    return {**snapshot(), "outcomes": list(PublishedOutcome.objects.order_by("id").values())}


def test_a_manager_publishes_a_closed_complaint_and_the_register_shows_only_what_was_written(
    complaint_in, users, now, api
):
    complaint = complaint_in("closed")
    row, created = outcome_publish(
        actor=users["manager"], number=complaint.number, summary=SUMMARY, outcome=OUTCOME, now=now
    )
    assert created and row.period == complaint.received_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime(
        "%Y-%m"
    )
    assert complaint.events.filter(kind="outcome_published").count() == 1
    body = api(None).get("/api/v1/public/outcomes").json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == {"month", "category", "category_name", "summary", "outcome", "published_at"}
    assert entry["summary"] == SUMMARY and entry["outcome"] == OUTCOME
    assert entry["category"] == "product_quality"  # the top level only
    raw = json.dumps(body, ensure_ascii=False)
    for planted in (complaint.number, complaint.contact_name, complaint.contact_phone, complaint.description):
        assert planted not in raw


@pytest.mark.parametrize(
    ("summary", "why"),
    [
        ("顾客张三投诉牛奶有异味", "identifies_a_person"),  # the customer's name (intake_payload: 张三)
        ("来电 138 0013 1234 反映", "identifies_a_person"),
        ("请联系 li@example.com", "identifies_a_person"),
        ("身份证 110101199003074512", "identifies_a_person"),
        ("", "required"),
    ],
)
def test_a_text_that_names_a_person_is_refused_by_its_field_and_nothing_is_written(
    complaint_in, users, now, summary, why
):
    complaint = complaint_in("closed")
    before = _published_snapshot()
    with pytest.raises(ValidationFailed) as refused:
        outcome_publish(actor=users["manager"], number=complaint.number, summary=summary, outcome=OUTCOME, now=now)
    assert [(e.field, e.code) for e in refused.value.errors] == [("summary", why)]
    assert _published_snapshot() == before


def test_the_complaint_number_in_the_outcome_is_refused(complaint_in, users, now):
    complaint = complaint_in("closed")
    with pytest.raises(ValidationFailed) as refused:
        outcome_publish(
            actor=users["manager"], number=complaint.number, summary=SUMMARY, outcome=f"见 {complaint.number}", now=now
        )
    assert [e.field for e in refused.value.errors] == ["outcome"]


def test_only_managers_publish_and_only_closed_complaints(complaint_in, users, now):
    closed = complaint_in("closed")
    open_one = complaint_in("assigned")
    before = _published_snapshot()
    with pytest.raises(PermissionDenied):
        outcome_publish(actor=users["supervisor"], number=closed.number, summary=SUMMARY, outcome=OUTCOME, now=now)
    with pytest.raises(Conflict):
        outcome_publish(actor=users["manager"], number=open_one.number, summary=SUMMARY, outcome=OUTCOME, now=now)
    assert _published_snapshot() == before


def test_a_confidential_complaint_is_not_published(complaint_in, users, now):
    complaint = complaint_in("closed")
    type(complaint).objects.filter(pk=complaint.pk).update(confidentiality="secret")
    before = _published_snapshot()
    with pytest.raises(Conflict):
        outcome_publish(actor=users["gm"], number=complaint.number, summary=SUMMARY, outcome=OUTCOME, now=now)
    assert _published_snapshot() == before


def test_withdrawn_outcomes_leave_the_register_and_publishing_again_corrects(complaint_in, users, now):
    complaint = complaint_in("closed")
    outcome_publish(actor=users["manager"], number=complaint.number, summary=SUMMARY, outcome=OUTCOME, now=now)
    outcome_withdraw(actor=users["manager"], number=complaint.number, now=now)
    assert public_outcomes().count() == 0
    row, created = outcome_publish(
        actor=users["manager"], number=complaint.number, summary=SUMMARY, outcome="已退款。", now=now
    )
    assert not created and row.withdrawn_at is None and public_outcomes().get().outcome == "已退款。"


def test_the_api_publishes_and_withdraws(complaint_in, api):
    complaint = complaint_in("closed")
    path = f"/api/v1/complaints/{complaint.number}/publication"
    assert api("agent").post(path, {"summary": SUMMARY, "outcome": OUTCOME}).status_code == 403
    bad = api("manager").post(path, {"summary": "张三的牛奶", "outcome": OUTCOME})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "summary"
    assert api("manager").post(path, {"summary": SUMMARY, "outcome": OUTCOME}).status_code == 201
    assert api("manager").post(path, {"summary": SUMMARY, "outcome": "已退款。"}).status_code == 200
    assert api("manager").delete(path).status_code == 204
    assert api("manager").delete(path).status_code == 404


def test_the_jrt_export_counts_by_month_and_code(register, users, now):
    register(category="service_attitude.rude", channel="walk_in")
    register(category="service_attitude.rude", channel="walk_in")
    register(category="business_error.wrong_info", channel="phone")
    register(category="product_quality.food.expired", channel="letter")
    day = timezone.localdate(now)
    rows = jrt_export(user=users["manager"], date_from=day - dt.timedelta(days=31), date_to=day + dt.timedelta(days=1))
    got = {(r["channel_code"], r["business_code"], r["reason_code"]): r["received"] for r in rows}
    assert got == {("A0101", "B99", "C01"): 2, ("A010302", "B99", "C05"): 1, ("A0199", "B99", "C99"): 1}
    # the mapping is the organisation's: a category mapped anew changes the export
    disclosure_code_set(
        actor=users["manager"], axis="reason", source="product_quality", code="C11", label="产品质量", now=now
    )
    rows = jrt_export(user=users["manager"], date_from=day - dt.timedelta(days=31), date_to=day + dt.timedelta(days=1))
    assert {r["reason_code"] for r in rows} == {"C01", "C05", "C11"}


def test_a_bad_mapping_row_is_refused_by_field(users, now):
    with pytest.raises(ValidationFailed) as refused:
        disclosure_code_set(actor=users["manager"], axis="reason", source="nope", code="A01", label="", now=now)
    assert {e.field for e in refused.value.errors} == {"source", "code", "label"}
