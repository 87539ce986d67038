"""Complaints as the API shows them, with personal data masked for roles without access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kesu.accounts.models import User
from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints import workflow
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.selectors import customer_history, is_overdue
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
