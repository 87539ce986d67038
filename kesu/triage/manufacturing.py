"""Manufacturing classification (SPEC CL-5): quality vs non-quality complaints, and a quality
complaint graded serious rather than general by its loss, the quantity of defective units or its
nature. The thresholds are the organisation's (TriagePolicy); the rules here are pure: the policy
and the complaint's facts are passed in, nothing is read or written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kesu.triage.models import Severity, TriagePolicy

# The seed's kinds (000: 质量投诉, 交期投诉, 服务投诉, 其他投诉), by the top level of the category.
QUALITY, DELIVERY, SERVICE, OTHER = "quality", "delivery", "service", "other"
COMPLAINT_TYPES: dict[str, Promise] = {
    QUALITY: _("quality complaint"),
    DELIVERY: _("delivery complaint"),
    SERVICE: _("service complaint"),
    OTHER: _("other complaint"),
}
TYPE_OF_TOP_LEVEL = {
    "product_quality": QUALITY,
    "logistics": DELIVERY,
    "after_sales": SERVICE,
    "service_attitude": SERVICE,
}


def complaint_type(category_code: str | None) -> str:
    """quality, delivery, service or other, from the category's top level."""
    if not category_code:
        return OTHER
    return TYPE_OF_TOP_LEVEL.get(category_code.split(".")[0], OTHER)


@dataclass(frozen=True)
class Grading:
    severity: str
    reasons: tuple[str, ...]  # "loss", "defect_quantity", "nature"


REASON_LABELS: dict[str, Promise] = {
    "loss": _("the loss claimed reaches the threshold"),
    "defect_quantity": _("the number of defective units reaches the threshold"),
    "nature": _("its nature (safety, design defect, counterfeit)"),
}


def _within(code: str, prefixes: list[str]) -> bool:
    return any(code == p or code.startswith(p + ".") for p in prefixes)


def grade(
    *, policy: TriagePolicy, category_code: str | None, amount_claimed: Decimal | None, quantity: int | None
) -> Grading | None:
    """Serious when a criterion holds, with the criteria that did; None when none does (the
    complaint keeps the grading the rules gave it). Loss and quantity count for quality complaints."""
    reasons: list[str] = []
    quality = complaint_type(category_code) == QUALITY
    threshold = Decimal(str(policy.serious_loss_amount or 0))
    if quality and threshold > 0 and amount_claimed is not None and amount_claimed >= threshold:
        reasons.append("loss")
    if (
        quality
        and policy.serious_defect_quantity
        and quantity is not None
        and quantity >= policy.serious_defect_quantity
    ):
        reasons.append("defect_quantity")
    natures = [c.strip() for c in (policy.serious_nature_categories or "").split(",") if c.strip()]
    if category_code and _within(category_code, natures):
        reasons.append("nature")
    return Grading(Severity.SERIOUS, tuple(reasons)) if reasons else None
