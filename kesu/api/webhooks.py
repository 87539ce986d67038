"""Webhooks (API.md "Webhooks", docs/channels.md): register, list, the delivery log, replay.
Administrators and the customer service manager only; a saved secret is never shown again."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from kesu.api.access import AuthedRequest
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import ErrorOut
from kesu.channels.models import Webhook, WebhookDelivery
from kesu.channels.signing import mask_secret
from kesu.channels.webhooks import deliveries_list, delivery_replay, webhook_create, webhooks_list
from kesu.core import clock

router = Router(tags=["webhooks"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class WebhookIn(Schema):
    url: str = Field(description="http(s) address; loopback and private hosts only when in KESU_WEBHOOK_ALLOWED_HOSTS.")
    secret: str = Field(min_length=16, max_length=200, description="Key of the X-Kesu-Signature HMAC.")
    events: list[str] = Field(
        description="Any of complaint.registered, complaint.transitioned, complaint.overdue, "
        "complaint.escalated, complaint.closed."
    )


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    active: bool
    secret: str = Field(description="Masked: the last four characters at most.")
    created_at: str


class DeliveryOut(Schema):
    id: str
    webhook: int
    event: str
    complaint: str | None
    status: str
    attempts: int
    response_status: int | None
    last_error: str
    created_at: str
    sent_at: str | None
    next_attempt_at: str | None
    replay_of: str | None


def webhook_out(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "url": webhook.url,
        "events": list(webhook.events),
        "active": webhook.active,
        "secret": mask_secret(webhook.secret),
        "created_at": webhook.created_at.isoformat(),
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    outbox = delivery.outbox
    return {
        "id": delivery.delivery_id,
        "webhook": delivery.webhook_id,
        "event": delivery.event,
        "complaint": delivery.complaint_number or None,
        "status": outbox.status if outbox else "unknown",
        "attempts": outbox.attempts if outbox else 0,
        "response_status": delivery.response_status,
        "last_error": outbox.last_error if outbox else "",
        "created_at": delivery.created_at.isoformat(),
        "sent_at": outbox.sent_at.isoformat() if outbox and outbox.sent_at else None,
        "next_attempt_at": outbox.next_attempt_at.isoformat() if outbox and outbox.status == "pending" else None,
        "replay_of": delivery.replay_of.delivery_id if delivery.replay_of_id and delivery.replay_of else None,
    }


@router.post(
    "/webhooks",
    response={201: WebhookOut, **ERRORS},
    openapi_extra=json_body(WebhookIn, "The address, the signing secret and the events to receive."),
)
def create(request: AuthedRequest) -> Status[dict[str, Any]]:
    payload = json_object(request)
    webhook = webhook_create(
        actor=request.user,
        url=payload.get("url"),
        secret=payload.get("secret"),
        events=payload.get("events"),
        now=clock.now(),
    )
    return Status(201, webhook_out(webhook))


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def list_webhooks(request: AuthedRequest) -> list[dict[str, Any]]:
    return [webhook_out(w) for w in webhooks_list(actor=request.user)]


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def deliveries(request: AuthedRequest, webhook_id: int) -> list[dict[str, Any]]:
    """The last 100 deliveries of a webhook, newest first."""
    rows = deliveries_list(actor=request.user, webhook_id=webhook_id)
    return [delivery_out(d) for d in rows]


@router.post("/webhooks/deliveries/{delivery_id}/replay", response={201: DeliveryOut, **ERRORS})
def replay(request: AuthedRequest, delivery_id: str) -> Status[dict[str, Any]]:
    """Send a delivery's body again, as a new delivery."""
    delivery = delivery_replay(actor=request.user, delivery_id=delivery_id, now=clock.now())
    delivery.refresh_from_db()
    return Status(201, delivery_out(delivery))
