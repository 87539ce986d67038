"""Quality reviews (SPEC SV-1): a seeded, reproducible random sample of the complaints closed in
a period, one score and findings per sampled complaint, and nobody reviewing twice or their own work."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kesu.complaints.models import ComplaintEvent
from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.supervision.models import QualityReview
from kesu.supervision.services import default_seed, review_record, sample_candidates, sample_draw
from tests.supervision.conftest import at, everything

NOW = at(2026, 12, 1, 9)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def november(closed):
    """Twelve complaints closed in November (local time), one each side of the month, one open."""
    inside = [
        closed(at(2026, 11, 1, 0, 0)),
        *[closed(at(2026, 11, 2 + i, 15)) for i in range(10)],
        closed(at(2026, 11, 30, 23, 59)),
    ]
    closed(at(2026, 10, 31, 23, 59))
    closed(at(2026, 12, 1, 0, 0))
    return inside


def numbers(run):
    return sorted(run.reviews.values_list("complaint__number", flat=True))


def test_the_sample_is_drawn_from_complaints_closed_in_the_period(november, team, register):
    register(received_at=at(2026, 11, 5, 10).isoformat())  # still open: never sampled
    run = sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=50, now=NOW)
    assert (run.population, run.size) == (12, 50)
    assert numbers(run) == sorted(c.number for c in november)


def test_the_sample_is_reproducible_from_its_seed(november, team):
    run = sample_draw(
        actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=4, now=NOW, seed=42
    )
    candidates = sample_candidates(*NOVEMBER)
    expected = sorted(random.Random(42).sample(candidates, 4))
    assert sorted(run.reviews.values_list("complaint_id", flat=True)) == expected
    assert run.seed == 42


def test_without_a_seed_the_period_is_the_seed(november, team):
    run = sample_draw(actor=team["inspector"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=3, now=NOW)
    assert run.seed == default_seed(*NOVEMBER) == 2026110120261130
    expected = sorted(random.Random(run.seed).sample(sample_candidates(*NOVEMBER), 3))
    assert sorted(run.reviews.values_list("complaint_id", flat=True)) == expected


def test_each_sampled_complaint_keeps_its_department(november, team):
    run = sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=2, now=NOW)
    assert set(run.reviews.values_list("department__code", flat=True)) == {"quality"}


@pytest.mark.parametrize("who", ["agent", "supervisor", "sales", "auditor"])
def test_only_the_supervision_team_draws(november, team, who):
    before = everything()
    with pytest.raises(PermissionDenied):
        sample_draw(actor=team[who], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=2, now=NOW)
    assert everything() == before


@pytest.mark.parametrize(
    ("start", "end", "size", "seed", "fields"),
    [
        (NOVEMBER[1], NOVEMBER[0], 5, None, ["period_end"]),
        (*NOVEMBER, 0, None, ["size"]),
        (*NOVEMBER, 501, None, ["size"]),
        (*NOVEMBER, 5, -1, ["seed"]),
    ],
)
def test_bad_samples_are_refused(november, team, start, end, size, seed, fields):
    before = everything()
    with pytest.raises(ValidationFailed) as error:
        sample_draw(actor=team["qmanager"], period_start=start, period_end=end, size=size, seed=seed, now=NOW)
    assert [e.field for e in error.value.errors] == fields
    assert everything() == before


def test_drawing_the_same_period_twice_is_refused(november, team):
    sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=2, now=NOW)
    before = everything()
    with pytest.raises(Conflict) as error:
        sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=5, now=NOW)
    assert error.value.code == "already_drawn"
    assert everything() == before


def test_an_empty_period_is_refused(team, closed):
    before = everything()
    with pytest.raises(Conflict):
        sample_draw(
            actor=team["qmanager"], period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31), size=5, now=NOW
        )
    assert everything() == before


# --- reviews --------------------------------------------------------------------------------


@pytest.fixture
def review(november, team):
    run = sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=3, now=NOW)
    return QualityReview.objects.filter(run=run).order_by("id").first()


def test_a_review_records_score_and_findings(review, team):
    saved = review_record(
        actor=team["inspector"], review_id=review.pk, score=85, findings="答复及时，用语规范。", now=NOW
    )
    assert (saved.score, saved.findings, saved.reviewer, saved.reviewed_at) == (
        85,
        "答复及时，用语规范。",
        team["inspector"],
        NOW,
    )
    event = ComplaintEvent.objects.get(complaint_id=review.complaint_id, kind="quality_reviewed")
    assert event.data == {"sample": review.run_id, "review": review.pk, "score": 85}


def test_reviewing_twice_is_refused(review, team):
    review_record(actor=team["inspector"], review_id=review.pk, score=85, findings="ok", now=NOW)
    before = everything()
    with pytest.raises(Conflict) as error:
        review_record(actor=team["qmanager"], review_id=review.pk, score=40, findings="again", now=NOW)
    assert error.value.code == "already_reviewed"
    assert everything() == before


@pytest.mark.parametrize("who", ["agent", "supervisor", "sales", "auditor"])
def test_only_the_supervision_team_reviews(review, team, who):
    before = everything()
    with pytest.raises(PermissionDenied):
        review_record(actor=team[who], review_id=review.pk, score=90, findings="ok", now=NOW)
    assert everything() == before


def test_nobody_reviews_a_complaint_they_recorded(closed, team):
    own = closed(at(2026, 11, 10, 10), actor="manager")
    sample_draw(actor=team["qmanager"], period_start=NOVEMBER[0], period_end=NOVEMBER[1], size=1, now=NOW)
    review = QualityReview.objects.get(complaint=own)
    before = everything()
    with pytest.raises(PermissionDenied) as error:
        review_record(actor=team["manager"], review_id=review.pk, score=100, findings="完美", now=NOW)
    assert error.value.code == "not_own_work"
    assert everything() == before


@pytest.mark.parametrize(
    ("score", "findings", "fields"),
    [
        (101, "ok", ["score"]),
        (-1, "ok", ["score"]),
        (True, "ok", ["score"]),
        (80, " ", ["findings"]),
    ],
)
def test_bad_reviews_are_refused(review, team, score, findings, fields):
    before = everything()
    with pytest.raises(ValidationFailed) as error:
        review_record(actor=team["inspector"], review_id=review.pk, score=score, findings=findings, now=NOW)
    assert [e.field for e in error.value.errors] == fields
    assert everything() == before
