"""Request and response shapes, documented in the OpenAPI document.

Request bodies are documented with these schemas but validated by the domain validators
(kesu.complaints.validation), so every message names the field in the caller's language.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field
from pydantic_core import PydanticCustomError

from kesu.complaints.workflow import ALL_ACTIONS
from kesu.resolution.models import ContactMethod

ChannelCode = Literal[
    "phone", "email", "web", "social", "walk_in", "letter", "suggestion_box", "regulator", "media", "internal"
]
SeverityCode = Literal["general", "serious", "major"]
UrgencyCode = Literal["normal", "urgent", "critical"]
# The actions people may ask for, from the action spec (kesu/complaints/workflow.py), in its order.
if TYPE_CHECKING:
    ActionCode = str
    ContactMethodCode = str
else:
    ActionCode = Literal[ALL_ACTIONS]
    ContactMethodCode = Literal[tuple(ContactMethod.values)]


def _sane_year(value: Any) -> Any:
    # Dates near 0001 or 9999 overflow as soon as a day or a time zone is added to them.
    if not 1900 <= value.year <= 2999:
        raise PydanticCustomError("date_range", "year out of range")
    return value


# Dates and times clients send: years 1900–2999; times with their offset (naive ones are refused).
InDate = Annotated[dt.date, AfterValidator(_sane_year)]
InDatetime = Annotated[AwareDatetime, AfterValidator(_sane_year)]


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class TokenInfoOut(Schema):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    current: bool = Field(description="The token this request was signed with.")


class HealthOut(Schema):
    status: str


class ErrorItem(Schema):
    field: str | None
    message: str
    code: str = Field(description="Machine-readable reason, e.g. required, not_found, throttled (docs/errors.md).")


class ErrorOut(Schema):
    errors: list[ErrorItem]


class CustomerIn(Schema):
    name: str = Field(max_length=100)
    phone: str | None = Field(None, description="Mobile or landline; Chinese numbers need no +86.")
    email: str | None = None


class ProductIn(Schema):
    name: str | None = None
    sku: str | None = None
    lot: str | None = None
    order_no: str | None = None
    quantity: int | None = Field(None, ge=1)
    delivery_date: dt.date | None = Field(None, description="YYYY-MM-DD, not after today (IN-2).")


class SettlementIn(Schema):
    kind: Literal["on_the_spot", "resolved_contact"]
    result: str
    customer_answer: str | None = None


class ComplaintIn(Schema):
    channel: ChannelCode
    customer: CustomerIn
    description: str = Field(max_length=10000)
    title: str | None = Field(None, max_length=200)
    received_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; not in the future.")
    category: str | None = Field(None, description="Taxonomy code, e.g. product_quality.food.expired")
    severity: SeverityCode | None = Field(None, description="Omit to take the rule-based suggestion.")
    urgency: UrgencyCode | None = None
    product: ProductIn | None = None
    location: str | None = None
    demand: str | None = None
    amount_claimed: str | None = Field(None, description="Decimal string ≥ 0, two places at most.")
    overseas: bool | None = None
    sample_kept: bool | None = Field(None, description="A sample of the product is kept aside (IN-2).")
    external_ref: str | None = None
    related_to: str | None = Field(None, description="Number of an earlier complaint this repeats (IN-10).")
    language: Literal["zh-hans", "zh-hant", "en"] | None = Field(
        None, description="The customer's language for letters and SMS (default zh-hans; public: the request's)."
    )
    settlement: SettlementIn | None = Field(
        None, description="Staff only: register and close at once (IN-7 resolved contact, IN-8 on the spot)."
    )


class ClassificationIn(Schema):
    severity: SeverityCode | None = None
    urgency: UrgencyCode | None = None
    category: str | None = None
    reason: str | None = Field(None, description="Required when the severity changes.")


class TransitionIn(Schema):
    # Which parameters each action reads is declared in kesu/complaints/actions.py
    # (tests/complaints/test_action_spec.py keeps the two in step). No docstring: it would enter the OpenAPI.
    action: ActionCode
    note: str | None = None
    reason: str | None = None
    department: str | None = None
    assignee: str | None = None
    remedies: list[dict[str, Any]] | None = Field(None, description='[{"type": "refund", "amount": "50.00"}]')
    alternatives: list[dict[str, Any]] | None = Field(
        None, description='Several offers in one round instead of remedies: [{"remedies": [...]}, ...]'
    )
    alternative: int | None = Field(None, description="customer_accept: which alternative (1, 2, …) is accepted.")
    description: str | None = None
    internal_note: str | None = Field(
        None, description="propose_solution: a staff-only note, never shown to the customer."
    )
    responsible: str | None = Field(
        None,
        description="propose_solution: username of the active staff member who carries it out (default: the proposer).",
    )
    due_date: dt.date | None = Field(
        None,
        description="propose_solution: the date to carry it out by, today or later (default: the closing deadline).",
    )
    result: str | None = None
    reached: bool | None = None
    satisfied: bool | None = None
    score: int | None = None
    comment: str | None = None
    method: ContactMethodCode | None = Field(None, description="record_callback: how.")
    into: str | None = None


class CustomerOut(Schema):
    id: int
    name: str
    phone: str | None
    email: str | None


class DeadlinesOut(Schema):
    acknowledge_due: dt.datetime | None
    reply_due: dt.datetime | None
    close_due: dt.datetime | None
    overdue: bool


class EventOut(Schema):
    kind: str
    at: dt.datetime
    actor: str | None
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class HistoryItemOut(Schema):
    number: str
    status: str
    received_at: dt.datetime
    title: str
    result: str


class ComplaintOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    severity: str
    severity_source: str
    severity_rule: str | None
    urgency: str
    category: str | None
    customer: CustomerOut
    title: str
    description: str
    received_at: dt.datetime
    location: str
    product: dict[str, Any]
    demand: str
    amount_claimed: str | None
    overseas: bool
    external_ref: str
    department: str | None
    assignee: str | None
    recorded_by: str | None
    escalation_level: int
    delivery_date: dt.date | None = None
    sample_kept: bool = False
    confidentiality: str = Field("normal", description="normal, secret or top_secret (PV-1).")
    deadlines: DeadlinesOut
    related_to: str | None
    merged_into: str | None
    result: str
    is_resolved_contact: bool
    settled_on_spot: bool
    actions: list[str] = Field(description="Actions the caller may take now.")
    timeline: list[EventOut] | None = None
    customer_history: list[HistoryItemOut] | None = Field(
        None, description="The customer's other complaints, newest first, with their results (IN-10)."
    )


class ComplaintListOut(Schema):
    count: int = Field(description="Exact up to 10,000; beyond, a lower bound and count_exact is false.")
    page: int
    page_size: int
    results: list[ComplaintOut]
    count_exact: bool = Field(True, description="Whether count is the exact number of matching complaints.")
    next_cursor: str | None = Field(
        None,
        description="Keyset paging in time order: pass it as `cursor` for the next page; null on the last page.",
    )


class PublicEventOut(Schema):
    kind: str
    at: dt.datetime
    status: str


class PublicSolutionOut(Schema):
    round: int
    status: str
    total: str
    remedies: list[dict[str, str]]
    description: str


class PublicRatingOut(Schema):
    satisfied: bool | None
    score: int | None
    comment: str
    at: dt.datetime


class PublicComplaintOut(Schema):
    number: str
    status: str
    status_label: str
    received_at: dt.datetime
    expected_reply_by: dt.datetime | None
    title: str
    description: str
    result: str
    solution: PublicSolutionOut | None
    timeline: list[PublicEventOut]
    rating: PublicRatingOut | None = Field(None, description="The customer's own rating, once given.")


class PublicCreatedOut(Schema):
    number: str
    status: str
    channel: str = Field(description="As recorded: web unless the customer said email or social (docs/input.md).")
    received_at: dt.datetime
    expected_reply_by: dt.datetime | None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    description: str
    confidentiality: str = "normal"


# --- the customer's own answers (public, no login) -----------------------------------------


class PublicAcceptIn(Schema):
    contact: str = Field(description="The phone number or e-mail the complaint was filed with.")
    note: str | None = Field(None, max_length=2000)
    alternative: int | None = Field(None, description="Which alternative (1…5); required when several were offered.")


class PublicRejectIn(Schema):
    contact: str = Field(description="The phone number or e-mail the complaint was filed with.")
    reason: str = Field(max_length=2000, description="Why the solution is not acceptable.")


class PublicRateIn(Schema):
    contact: str = Field(description="The phone number or e-mail the complaint was filed with.")
    satisfied: bool
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: str | None = Field(None, max_length=2000)
