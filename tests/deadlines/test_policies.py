"""Policies: SPEC §7 defaults, precedence, administrator-defined kinds, recomputation."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.complaints.models import Complaint
from kesu.deadlines.calendar import bump_version
from kesu.deadlines.engine import Rule
from kesu.deadlines.models import DeadlineKind, MetWhen, SlaPolicy
from kesu.deadlines.policies import Inputs, PolicySpec, choose
from kesu.triage.models import Category

from .conftest import at, end_of, rows

pytestmark = pytest.mark.django_db


def policy(kind: str, unit: str, amount: int, **match) -> SlaPolicy:
    created = SlaPolicy.objects.create(kind=DeadlineKind.objects.get(code=kind), unit=unit, amount=amount, **match)
    bump_version()
    return created


def test_spec_defaults_for_a_general_complaint(reg):
    complaint = reg(at(2026, 3, 2, 10))  # Monday
    assert complaint.acknowledge_due == at(2026, 3, 3, 10)
    assert complaint.reply_due == end_of(2026, 3, 5)
    assert complaint.close_due == end_of(2026, 3, 17)
    assert {k: (r.unit, r.amount) for k, r in rows(complaint).items()} == {
        "acknowledge": ("hours", 24),
        "acknowledge_limit": ("hours", 48),
        "reply": ("working_days", 3),
        "close": ("calendar_days", 15),
    }


def test_spec_defaults_for_overseas_and_major_complaints(reg):
    assert reg(at(2026, 3, 2, 10), overseas=True).close_due == end_of(2026, 3, 22)
    major = reg(at(2026, 3, 2, 10), severity="major")
    assert (major.acknowledge_due, major.reply_due, major.close_due) == (
        at(2026, 3, 2, 12),
        end_of(2026, 3, 3),
        end_of(2026, 3, 11),
    )


def test_the_most_specific_policy_wins(reg):
    policy("reply", "working_days", 2, severity="serious")
    policy("reply", "business_hours", 4, severity="serious", channel="regulator")
    policy("reply", "working_days", 5, channel="regulator")
    start = at(2026, 3, 2, 10)
    assert reg(start, severity="serious").reply_due == end_of(2026, 3, 4)
    assert reg(start, severity="serious", channel="regulator").reply_due == at(2026, 3, 2, 14)
    assert reg(start, channel="regulator", severity="general").reply_due == end_of(2026, 3, 9)
    assert reg(start).reply_due == end_of(2026, 3, 5)


def test_a_deeper_category_is_more_specific_and_covers_its_sub_categories(reg):
    top = Category.objects.get(code="product_quality")
    food = Category.objects.get(code="product_quality.food")
    policy("close", "calendar_days", 10, category=top)
    policy("close", "calendar_days", 5, category=food)
    start = at(2026, 3, 2, 10)
    assert reg(start, category="product_quality.food.expired").close_due == end_of(2026, 3, 7)
    other = Category.objects.filter(code__startswith="product_quality.").exclude(
        code__startswith="product_quality.food"
    )
    assert reg(start, category=other.first().code).close_due == end_of(2026, 3, 12)
    assert reg(start, category="logistics").close_due == end_of(2026, 3, 17)


def test_urgency_and_a_same_day_clock_time():
    specs = [
        PolicySpec("reply", Rule("working_days", 3)),
        PolicySpec("reply", Rule("working_days", 0, dt.time(15, 30)), urgency="critical"),
    ]
    inputs = Inputs(severity="general", urgency="critical", channel="phone", category_code=None, overseas=False)
    assert choose(specs, inputs, ["reply"])["reply"].rule.amount == 0


def test_ties_go_to_the_older_policy():
    first = PolicySpec("reply", Rule("working_days", 2), channel="web", policy_id=1)
    second = PolicySpec("reply", Rule("working_days", 4), severity="serious", policy_id=2)
    inputs = Inputs(severity="serious", urgency="normal", channel="web", category_code=None, overseas=False)
    assert choose([second, first], inputs, ["reply"])["reply"] is first


def test_an_inactive_policy_is_ignored(reg):
    row = policy("reply", "working_days", 1)
    SlaPolicy.objects.filter(pk=row.pk).update(active=False)
    bump_version()
    assert reg(at(2026, 3, 2, 10)).reply_due == end_of(2026, 3, 5)


def test_an_administrator_defined_deadline_kind(reg, act):
    DeadlineKind.objects.create(code="investigate", name="调查报告", met_when=MetWhen.RESOLVED)
    policy("investigate", "working_days", 3, severity="serious")
    complaint = reg(at(2026, 3, 2, 10), severity="serious")
    assert rows(complaint)["investigate"].due_at == end_of(2026, 3, 5)
    assert "investigate" not in rows(reg(at(2026, 3, 2, 10)))


def test_deadlines_are_recomputed_when_the_classification_changes(reg, act, users):
    complaint = reg(at(2026, 3, 2, 10))
    # A reclassification (not yet a service of its own) changes what the deadlines depend on.
    Complaint.objects.filter(pk=complaint.pk).update(severity="major")
    act(complaint, "acknowledge", "agent", at(2026, 3, 2, 11))
    complaint.refresh_from_db()
    assert complaint.reply_due == end_of(2026, 3, 3)
    assert complaint.close_due == end_of(2026, 3, 11)
    event = complaint.events.get(kind="deadlines_recomputed")
    assert dt.datetime.fromisoformat(event.data["deadlines"]["close"]["from"]) == end_of(2026, 3, 17)
    assert dt.datetime.fromisoformat(event.data["deadlines"]["close"]["to"]) == end_of(2026, 3, 11)
    assert "acknowledge" not in event.data["deadlines"]  # already met: its record stays
    assert rows(complaint)["acknowledge"].on_time is True
