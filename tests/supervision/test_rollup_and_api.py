"""SV-4 roll-up of responsibility and penalties per department and person, and the HTTP API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kesu.core.errors import PermissionDenied
from kesu.supervision.models import QualityReview
from kesu.supervision.selectors import _investigation_model, responsibility_rollup
from kesu.supervision.services import capa_create, review_record, sample_draw
from tests.supervision.conftest import at, everything

NOW = at(2026, 12, 1, 9)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def responsible(complaint, *, department, person, responsibility, loss, penalty, by):
    model = _investigation_model()
    model.objects.create(
        complaint=complaint,
        responsible_department=department,
        responsible_person=person,
        responsibility=responsibility,
        loss_amount=Decimal(loss),
        penalty_amount=Decimal(penalty),
        root_cause="x",
        recorded_by=by,
        recorded_at=NOW,
        updated_by=by,
        updated_at=NOW,
    )


@pytest.mark.skipif(_investigation_model() is None, reason="kesu.resolution records no responsibility yet")
def test_rollup_sums_responsibility_and_penalties_per_department_and_person(closed, team):
    quality, sales = team["handler"].department, team["sales"].department
    first, second, third = (closed(at(2026, 11, 3 + i, 10)) for i in range(3))
    closed(at(2026, 10, 3, 10))  # outside the period
    responsible(
        first,
        department=quality,
        person=team["handler"],
        responsibility="ours",
        loss="120.50",
        penalty="50.00",
        by=team["handler"],
    )
    responsible(
        second,
        department=quality,
        person=team["inspector"],
        responsibility="supplier",
        loss="80.00",
        penalty="0",
        by=team["handler"],
    )
    responsible(
        third,
        department=sales,
        person=team["sales"],
        responsibility="ours",
        loss="10.00",
        penalty="20.00",
        by=team["handler"],
    )
    rollup = responsibility_rollup(user=team["qmanager"], date_from=NOVEMBER[0], date_to=NOVEMBER[1])
    assert rollup.source == "investigation"
    assert [(r.key, r.complaints, r.our_fault, r.loss, r.penalty) for r in rollup.departments] == [
        ("quality", 2, 1, Decimal("200.50"), Decimal("50.00")),
        ("sales", 1, 1, Decimal("10.00"), Decimal("20.00")),
    ]
    assert [(r.key, r.complaints, r.penalty) for r in rollup.people] == [
        ("handler", 1, Decimal("50.00")),
        ("inspector", 1, Decimal("0.00")),
        ("sales", 1, Decimal("20.00")),
    ]


def test_rollup_averages_review_scores_and_counts_capas(closed, team):
    for day in (3, 4):
        closed(at(2026, 11, day, 10))
    run = sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=2, now=NOW)
    for review, score in zip(QualityReview.objects.filter(run=run).order_by("id"), (90, 71), strict=True):
        review_record(actor=team["inspector"], review_id=review.pk, score=score, findings="f", now=NOW)
    capa_create(
        actor=team["manager"],
        complaints=[run.reviews.first().complaint.number],
        title="t",
        actions="a",
        owner="handler",
        due=NOW + dt.timedelta(days=5),
        now=at(2026, 11, 20, 9),
    )
    rollup = responsibility_rollup(user=team["auditor"], date_from=NOVEMBER[0], date_to=NOVEMBER[1])
    [quality] = [r for r in rollup.departments if r.key == "quality"]
    assert (quality.reviewed, quality.average_score, quality.capas_open) == (2, Decimal("80.5"), 1)
    assert quality.as_dict()["average_score"] == "80.5"


@pytest.mark.parametrize("who", ["agent", "supervisor", "sales"])
def test_rollup_is_for_the_supervision_team_and_auditors(team, who):
    with pytest.raises(PermissionDenied):
        responsibility_rollup(user=team[who], date_from=NOVEMBER[0], date_to=NOVEMBER[1])


# --- HTTP ------------------------------------------------------------------------------------


def test_capa_lifecycle_over_http(api, team, register):
    complaint = register()
    manager = api("manager")
    response = manager.post(
        "/api/v1/capas",
        {
            "complaints": [complaint.number],
            "title": "冷链",
            "actions": "加装",
            "owner": "handler",
            "due_at": "2099-01-01T18:00:00+08:00",
        },
    )
    assert response.status_code == 201, response.content
    capa = response.json()
    assert (capa["complaints"], capa["owner"], capa["department"], capa["status"]) == (
        [complaint.number],
        "handler",
        "quality",
        "open",
    )
    assert [h["kind"] for h in capa["history"]] == ["created"]
    assert api("handler").post(f"/api/v1/capas/{capa['id']}/complete", {"note": "完成"}).status_code == 200
    before = everything()
    refused = api("supervisor").post(f"/api/v1/capas/{capa['id']}/verify", {"effective": True, "note": "ok"})
    assert refused.status_code == 403
    assert everything() == before
    verified = api("inspector").post(f"/api/v1/capas/{capa['id']}/verify", {"effective": True, "note": "有效"})
    assert (verified.status_code, verified.json()["status"], verified.json()["verified_by"]) == (
        200,
        "verified",
        "inspector",
    )
    again = api("qmanager").post(f"/api/v1/capas/{capa['id']}/verify", {"effective": True, "note": "有效"})
    assert again.status_code == 409
    listed = api("auditor").get("/api/v1/capas", status="verified").json()
    assert (listed["count"], listed["results"][0]["id"]) == (1, capa["id"])


def test_capa_validation_over_http(api, team):
    before = everything()
    response = api("manager").post(
        "/api/v1/capas",
        {
            "complaints": ["209901-00001"],
            "title": "t",
            "actions": "a",
            "owner": "handler",
            "due_at": "2099-01-01T18:00:00+08:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "complaints[0]"
    assert everything() == before


def test_sample_and_review_over_http(api, team, closed):
    closed(at(2026, 11, 3, 10))
    supervisor_api = api("qmanager")
    response = supervisor_api.post(
        "/api/v1/supervision/samples", {"period_start": "2026-11-01", "period_end": "2026-11-30", "size": 5, "seed": 7}
    )
    assert response.status_code == 201, response.content
    sample = response.json()
    assert (sample["population"], sample["seed"], len(sample["reviews"])) == (1, 7, 1)
    review_id = sample["reviews"][0]["id"]
    reviewed = api("inspector").post(f"/api/v1/supervision/reviews/{review_id}", {"score": 88, "findings": "好"})
    assert (reviewed.status_code, reviewed.json()["score"], reviewed.json()["reviewer"]) == (200, 88, "inspector")
    before = everything()
    twice = api("inspector").post(f"/api/v1/supervision/reviews/{review_id}", {"score": 10, "findings": "差"})
    assert twice.status_code == 409
    assert everything() == before
    assert api("auditor").get(f"/api/v1/supervision/samples/{sample['id']}").json()["reviews"][0]["score"] == 88
    assert api("agent").get(f"/api/v1/supervision/samples/{sample['id']}").status_code == 403
    rollup = api("auditor").get("/api/v1/supervision/rollup", date_from="2026-11-01", date_to="2026-11-30")
    assert rollup.status_code == 200
    assert rollup.json()["departments"][0]["key"] == "quality"
