"""Complaints as the API shows them, with personal data masked for roles without access."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse

from kesu.accounts.models import User
from kesu.accounts.permissions import can_view_personal_data
from kesu.api.rendering import Encoder
from kesu.complaints import workflow
from kesu.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent
from kesu.complaints.models import Status as ComplaintStatus
from kesu.complaints.selectors import customer_history, is_overdue
from kesu.core.clock import iso_utc
from kesu.core.privacy import mask_email, mask_phone
from kesu.customers.services import display_phone


def complaint_dict(
    c: Complaint,
    *,
    user: User,
    now: dt.datetime,
    timeline: list[ComplaintEvent] | None = None,
    with_actions: bool = True,
) -> dict[str, Any]:
    personal = can_view_personal_data(user)
    phone = display_phone(c.contact_phone) or None
    email = c.contact_email or None
    data: dict[str, Any] = {
        "number": c.number,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "channel": c.channel,
        "severity": c.severity,
        "severity_source": c.severity_source,
        "severity_rule": c.severity_rule.code if c.severity_rule_id and c.severity_rule else None,
        "urgency": c.urgency,
        "category": c.category.code if c.category_id and c.category else None,
        "customer": {
            "id": c.customer_id,
            "name": c.contact_name,
            "phone": phone if personal else mask_phone(phone),
            "email": email if personal else mask_email(email),
        },
        "title": c.title,
        "description": c.description,
        "received_at": c.received_at,
        "location": c.location,
        "product": {
            "name": c.product_name,
            "sku": c.product_sku,
            "lot": c.product_lot,
            "order_no": c.order_no,
            "quantity": c.product_quantity,
        },
        "demand": c.demand,
        "amount_claimed": str(c.amount_claimed) if c.amount_claimed is not None else None,
        "overseas": c.overseas,
        "external_ref": c.external_ref,
        "department": c.department.code if c.department_id and c.department else None,
        "assignee": c.assignee.username if c.assignee_id and c.assignee else None,
        "recorded_by": c.recorded_by.username if c.recorded_by_id and c.recorded_by else None,
        "escalation_level": c.escalation_level,
        "delivery_date": c.delivery_date,
        "sample_kept": c.sample_kept,
        "confidentiality": c.confidentiality,
        "deadlines": {
            "acknowledge_due": c.acknowledge_due,
            "reply_due": c.reply_due,
            "close_due": c.close_due,
            "overdue": is_overdue(c, now),
        },
        "related_to": c.related_to.number if c.related_to_id and c.related_to else None,
        "merged_into": c.merged_into.number if c.merged_into_id and c.merged_into else None,
        "result": c.result,
        "is_resolved_contact": c.is_resolved_contact,
        "settled_on_spot": c.settled_on_spot,
        "actions": (
            workflow.available_actions(c, user) if with_actions else workflow.actions_for_role(c.status, user.role)
        ),
    }
    if timeline is not None:
        data["customer_history"] = [
            {"number": h.number, "status": h.status, "received_at": h.received_at, "title": h.title, "result": h.result}
            for h in customer_history(user=user, customer_id=c.customer_id, exclude_number=c.number)
        ]
        data["timeline"] = [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor.username if e.actor_id and e.actor else None,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "data": e.data,
            }
            for e in timeline
        ]
    return data


# --- The read endpoints' fast path (issue 15, reads) -------------------------------------------
# The list and the detail build plain JSON-ready dicts in the schemas' field order (ComplaintOut,
# ComplaintListOut: every field, defaults included, as Pydantic dumped them) and answer them with
# `json_response`, not through the schemas: tests/api/test_complaint_reads.py proves the bytes equal
# to what validating complaint_dict through the schemas gave. Keep the three in step.

# The columns a list row shows, read with values(): no model instances, no related objects.
LIST_COLUMNS = (
    "number",
    "status",
    "channel",
    "severity",
    "severity_source",
    "severity_rule__code",
    "urgency",
    "category__code",
    "customer_id",
    "contact_name",
    "contact_phone",
    "contact_email",
    "title",
    "description",
    "received_at",
    "location",
    "product_name",
    "product_sku",
    "product_lot",
    "order_no",
    "product_quantity",
    "demand",
    "amount_claimed",
    "overseas",
    "external_ref",
    "department__code",
    "assignee__username",
    "recorded_by__username",
    "escalation_level",
    "delivery_date",
    "sample_kept",
    "confidentiality",
    "acknowledge_due",
    "reply_due",
    "close_due",
    "overdue",
    "overdue_now",
    "related_to__number",
    "merged_into__number",
    "result",
    "is_resolved_contact",
    "settled_on_spot",
)


def _time(value: dt.datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class ListRows:
    """Turns values() rows of LIST_COLUMNS into list rows for one caller (masking by their role, the
    status labels in the request's language and the role's actions computed once per status)."""

    def __init__(self, user: User) -> None:
        self.personal = can_view_personal_data(user)
        self.role = user.role
        self.labels: dict[str, str] = {}
        self.actions: dict[str, list[str]] = {}

    def row(self, r: dict[str, Any]) -> dict[str, Any]:
        status = r["status"]
        if status not in self.labels:
            self.labels[status] = str(ComplaintStatus(status).label)
            self.actions[status] = workflow.actions_for_role(status, self.role)
        phone = display_phone(r["contact_phone"]) or None
        email = r["contact_email"] or None
        amount = r["amount_claimed"]
        return {
            "number": r["number"],
            "status": status,
            "status_label": self.labels[status],
            "channel": r["channel"],
            "severity": r["severity"],
            "severity_source": r["severity_source"],
            "severity_rule": r["severity_rule__code"],
            "urgency": r["urgency"],
            "category": r["category__code"],
            "customer": {
                "id": r["customer_id"],
                "name": r["contact_name"],
                "phone": phone if self.personal else mask_phone(phone),
                "email": email if self.personal else mask_email(email),
            },
            "title": r["title"],
            "description": r["description"],
            "received_at": iso_utc(r["received_at"]),
            "location": r["location"],
            "product": {
                "name": r["product_name"],
                "sku": r["product_sku"],
                "lot": r["product_lot"],
                "order_no": r["order_no"],
                "quantity": r["product_quantity"],
            },
            "demand": r["demand"],
            "amount_claimed": str(amount) if amount is not None else None,
            "overseas": r["overseas"],
            "external_ref": r["external_ref"],
            "department": r["department__code"],
            "assignee": r["assignee__username"],
            "recorded_by": r["recorded_by__username"],
            "escalation_level": r["escalation_level"],
            "delivery_date": _day(r["delivery_date"]),
            "sample_kept": r["sample_kept"],
            "confidentiality": r["confidentiality"],
            "deadlines": {
                "acknowledge_due": _time(r["acknowledge_due"]),
                "reply_due": _time(r["reply_due"]),
                "close_due": _time(r["close_due"]),
                # is_overdue with the list's `overdue_now` annotation
                "overdue": status in OPEN_STATUSES and bool(r["overdue"] or r["overdue_now"]),
            },
            "related_to": r["related_to__number"],
            "merged_into": r["merged_into__number"],
            "result": r["result"],
            "is_resolved_contact": r["is_resolved_contact"],
            "settled_on_spot": r["settled_on_spot"],
            "actions": list(self.actions[status]),
            "timeline": None,
            "customer_history": None,
        }


def complaint_out(
    c: Complaint, *, user: User, now: dt.datetime, timeline: list[ComplaintEvent] | None = None
) -> dict[str, Any]:
    """complaint_dict made JSON-ready in ComplaintOut's order (the detail and every answer that
    returns the complaint with its timeline)."""
    d = complaint_dict(c, user=user, now=now, timeline=timeline)
    deadlines = d["deadlines"]
    out = {key: d[key] for key in _OUT_KEYS}
    out["received_at"] = iso_utc(c.received_at)
    out["delivery_date"] = _day(c.delivery_date)
    out["deadlines"] = {
        "acknowledge_due": _time(deadlines["acknowledge_due"]),
        "reply_due": _time(deadlines["reply_due"]),
        "close_due": _time(deadlines["close_due"]),
        "overdue": deadlines["overdue"],
    }
    if timeline is None:
        out["timeline"] = out["customer_history"] = None
        return out
    for event in d["timeline"]:
        event["at"] = iso_utc(event["at"])
    for item in d["customer_history"]:
        item["received_at"] = iso_utc(item["received_at"])
    out["timeline"] = d["timeline"]
    out["customer_history"] = d["customer_history"]
    return out


_OUT_KEYS = (
    "number",
    "status",
    "status_label",
    "channel",
    "severity",
    "severity_source",
    "severity_rule",
    "urgency",
    "category",
    "customer",
    "title",
    "description",
    "received_at",
    "location",
    "product",
    "demand",
    "amount_claimed",
    "overseas",
    "external_ref",
    "department",
    "assignee",
    "recorded_by",
    "escalation_level",
    "delivery_date",
    "sample_kept",
    "confidentiality",
    "deadlines",
    "related_to",
    "merged_into",
    "result",
    "is_resolved_contact",
    "settled_on_spot",
    "actions",
)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """A JSON answer encoded as the API's renderer encodes (kesu.api.rendering), without the
    schemas' validation: for bodies built JSON-ready by the functions above."""
    return HttpResponse(json.dumps(data, cls=Encoder), status=status, content_type="application/json; charset=utf-8")
