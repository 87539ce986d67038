"""CL-5: quality vs non-quality complaints; a quality complaint serious by loss, defective quantity
or nature (thresholds from the triage policy)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.core.errors import ValidationFailed
from kesu.triage.configuration import triage_policy_save
from kesu.triage.manufacturing import complaint_type, grade
from kesu.triage.models import TriagePolicy


def _policy(**values):  # type: ignore[no-untyped-def]
    return TriagePolicy(**values)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("product_quality.food.expired", "quality"),
        ("logistics.late", "delivery"),
        ("after_sales.repair", "service"),
        ("service_attitude", "service"),
        ("billing.overcharge", "other"),
        (None, "other"),
    ],
)
def test_the_kind_of_complaint_follows_the_top_level_category(code, kind):
    assert complaint_type(code) == kind


def test_loss_and_defective_quantity_make_a_quality_complaint_serious_at_the_thresholds():
    policy = _policy(serious_loss_amount=Decimal("5000.00"), serious_defect_quantity=100, serious_nature_categories="")
    code = "product_quality.defect.manufacturing"
    assert grade(policy=policy, category_code=code, amount_claimed=Decimal("4999.99"), quantity=99) is None
    assert grade(policy=policy, category_code=code, amount_claimed=Decimal("5000.00"), quantity=None).reasons == (
        "loss",
    )
    assert grade(policy=policy, category_code=code, amount_claimed=None, quantity=100).reasons == ("defect_quantity",)
    # a delivery complaint is not graded by loss or quantity
    assert grade(policy=policy, category_code="logistics.late", amount_claimed=Decimal("9000"), quantity=500) is None


def test_nature_counts_for_the_category_and_its_sub_categories_and_zero_turns_a_threshold_off():
    policy = _policy(serious_loss_amount=Decimal("0"), serious_defect_quantity=0, serious_nature_categories="safety")
    assert grade(policy=policy, category_code="safety.food_poisoning", amount_claimed=None, quantity=None).reasons == (
        "nature",
    )
    assert grade(policy=policy, category_code="safetyx", amount_claimed=None, quantity=None) is None
    code = "product_quality.food.expired"
    assert grade(policy=policy, category_code=code, amount_claimed=Decimal("99999"), quantity=9999) is None


@pytest.mark.django_db
def test_intake_raises_a_general_quality_complaint_to_serious_and_says_why(register):
    complaint = register(category="product_quality.defect.manufacturing", product={"name": "水壶", "quantity": 120})
    assert complaint.severity == "serious" and complaint.severity_source == "grading"
    event = complaint.events.get(kind="registered")
    assert event.data["grading"] == ["defect_quantity"]
    small = register(category="product_quality.defect.manufacturing", product={"name": "水壶", "quantity": 2})
    assert small.severity == "general"
    chosen = register(
        category="product_quality.defect.manufacturing", product={"name": "水壶", "quantity": 120}, severity="general"
    )
    assert chosen.severity == "general"  # the person's own grading stands


@pytest.mark.django_db
def test_an_unknown_nature_category_is_refused_and_nothing_changes(users, now):
    before = TriagePolicy.current().serious_nature_categories
    with pytest.raises(ValidationFailed) as refused:
        triage_policy_save(actor=users["manager"], values={"serious_nature_categories": "safety, nope"}, now=now)
    assert [e.field for e in refused.value.errors] == ["serious_nature_categories"]
    assert TriagePolicy.current().serious_nature_categories == before
