"""Webhooks (API.md): registration, the deliveries written in the transaction of the change,
their delivery from the outbox after commit, and replay."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.audit.services import audit_record
from kesu.channels import registry
from kesu.channels.http import Answer, DeliveryFailed, address_problem, post
from kesu.channels.models import Webhook, WebhookDelivery, WebhookEvent
from kesu.channels.signing import webhook_signature
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.models import OutboxMessage, OutboxStatus

WEBHOOK_ADMINS = frozenset({Role.ADMIN, Role.MANAGER})
CHANNEL = "webhook"


def may_manage_webhooks(user: Any) -> bool:
    return getattr(user, "role", None) in WEBHOOK_ADMINS


def _require(actor: User) -> None:
    if not may_manage_webhooks(actor):
        raise PermissionDenied(_("Only administrators and the customer service manager manage webhooks."))


def url_errors(url: str, *, field: str = "url") -> list[FieldError]:
    if not url:
        return [FieldError(field, _("Enter the address."), "required")]
    if len(url) > 500:
        return [FieldError(field, _("Enter at most %(max)d characters.") % {"max": 500}, "max_length")]
    problem = address_problem(url)
    if problem == "scheme":
        return [FieldError(field, _("Enter an http or https address."), "invalid")]
    if problem == "unresolvable":
        return [FieldError(field, _("This address's host name cannot be found."), "unresolvable")]
    if problem == "private":
        return [
            FieldError(
                field,
                _("This address is on a loopback or private network, and its host is not an allowed one."),
                "private_address",
            )
        ]
    return []


def webhook_create(*, actor: User, url: Any, secret: Any, events: Any, now: dt.datetime) -> Webhook:
    """Register a webhook. Everything is checked before anything is stored."""
    _require(actor)
    errors: list[FieldError] = []
    url = url.strip() if isinstance(url, str) else ""
    errors += url_errors(url)
    if not isinstance(secret, str) or not secret:
        errors.append(FieldError("secret", _("Enter the secret the deliveries are signed with."), "required"))
    elif len(secret) < 16 or len(secret) > 200:
        errors.append(FieldError("secret", _("The secret must have 16 to 200 characters."), "length"))
    chosen: list[str] = []
    if not isinstance(events, list) or not events:
        errors.append(FieldError("events", _("Choose at least one event."), "required"))
    else:
        unknown = [str(e) for e in events if e not in WebhookEvent.values]
        if unknown:
            errors.append(
                FieldError("events", _("Unknown event: %(events)s.") % {"events": ", ".join(unknown)}, "invalid")
            )
        chosen = [e for e in WebhookEvent.values if e in events]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        webhook = Webhook.objects.create(url=url, secret=secret, events=chosen, created_at=now, created_by=actor)
        audit_record(
            actor=actor,
            action="webhook.created",
            object_type="webhook",
            object_id=str(webhook.pk),
            data={"url": url, "events": chosen},  # never the secret
            at=now,
        )
        registry.forget(registry.WEBHOOKS_KEY)
    return webhook


def webhook_set_active(*, actor: User, webhook_id: int, active: bool, now: dt.datetime) -> Webhook:
    _require(actor)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
        if webhook is None:
            raise NotFound(_("There is no webhook with this id."))
        webhook.active = active
        webhook.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="webhook.activated" if active else "webhook.deactivated",
            object_type="webhook",
            object_id=str(webhook.pk),
            data={},
            at=now,
        )
        registry.forget(registry.WEBHOOKS_KEY)
    return webhook


def webhooks_list(*, actor: User) -> list[Webhook]:
    _require(actor)
    return list(Webhook.objects.order_by("id"))


def deliveries_list(*, actor: User, webhook_id: int | None = None, limit: int = 100) -> list[WebhookDelivery]:
    _require(actor)
    rows = WebhookDelivery.objects.select_related("webhook", "outbox").order_by("-id")
    if webhook_id is not None:
        rows = rows.filter(webhook_id=webhook_id)
    return list(rows[:limit])


def _outbox_row(*, delivery: WebhookDelivery, now: dt.datetime) -> OutboxMessage:
    return OutboxMessage(
        kind=delivery.event[:40],
        channel=CHANNEL,
        recipient=delivery.delivery_id,
        subject=f"{delivery.event} {delivery.complaint_number}"[:200],
        body="",
        next_attempt_at=now,
        created_at=now,
    )


def deliveries_enqueue(
    *, event: str, payload: Mapping[str, Any], complaint_number: str, now: dt.datetime, webhook_ids: Iterable[int]
) -> list[WebhookDelivery]:
    """Write one delivery (and its outbox row) per webhook, in the caller's transaction."""
    from kesu.core import tasks

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    created = []
    for webhook_id in webhook_ids:
        delivery = WebhookDelivery(
            webhook_id=webhook_id,
            event=event,
            delivery_id=uuid.uuid4().hex,
            body=body,
            complaint_number=complaint_number,
            created_at=now,
        )
        outbox = _outbox_row(delivery=delivery, now=now)
        outbox.save(force_insert=True)
        delivery.outbox = outbox
        delivery.save(force_insert=True)
        created.append(delivery)
    if created:
        tasks.dispatch_after_commit("deliver_outbox")
    return created


def delivery_replay(*, actor: User, delivery_id: str, now: dt.datetime) -> WebhookDelivery:
    """Send a delivery's body again, as a new delivery (a new delivery id, the same event id)."""
    from kesu.core import tasks

    _require(actor)
    with transaction.atomic():
        original = WebhookDelivery.objects.filter(delivery_id=delivery_id).first()
        if original is None:
            raise NotFound(_("There is no delivery with this id."))
        replay = WebhookDelivery(
            webhook_id=original.webhook_id,
            event=original.event,
            delivery_id=uuid.uuid4().hex,
            body=original.body,
            complaint_number=original.complaint_number,
            created_at=now,
            replay_of=original,
        )
        outbox = _outbox_row(delivery=replay, now=now)
        outbox.save(force_insert=True)
        replay.outbox = outbox
        replay.save(force_insert=True)
        audit_record(
            actor=actor,
            action="webhook.replayed",
            object_type="webhook",
            object_id=str(original.webhook_id),
            data={"delivery": original.delivery_id, "replay": replay.delivery_id},
            at=now,
        )
        tasks.dispatch_after_commit("deliver_outbox")
    return replay


def send_webhook(message: OutboxMessage) -> str:
    """The outbox's sender for webhook rows: POST the stored body, signed; a 2xx is delivered,
    anything else is retried with backoff for as long as it takes."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(outbox_id=message.pk).first()
    if delivery is None:
        raise DeliveryFailed("delivery record missing")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Kesu-Webhook/1",
        "X-Kesu-Event": delivery.event,
        "X-Kesu-Delivery": delivery.delivery_id,
        "X-Kesu-Signature": webhook_signature(delivery.webhook.secret, body),
    }
    try:
        answer: Answer = post(delivery.webhook.url, body, headers)
    except DeliveryFailed as exc:
        if exc.status is not None:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(response_status=exc.status)
        raise
    WebhookDelivery.objects.filter(pk=delivery.pk).update(response_status=answer.status)
    if not 200 <= answer.status < 300:
        raise DeliveryFailed(f"answered HTTP {answer.status}", status=answer.status)
    return OutboxStatus.SENT


def webhook_events_for(kind: str, from_status: str, to_status: str, data: Mapping[str, Any]) -> list[str]:
    """The webhook events a timeline event stands for."""
    events: list[str] = []
    if kind == "registered":
        events.append(WebhookEvent.REGISTERED)
    if from_status and to_status and from_status != to_status:
        events.append(WebhookEvent.TRANSITIONED)
    if kind == "deadline_missed":
        events.append(WebhookEvent.OVERDUE)
        if data.get("escalation"):
            events.append(WebhookEvent.ESCALATED)
    if kind == "escalate":
        events.append(WebhookEvent.ESCALATED)
    if to_status == "closed" and from_status != "closed":
        events.append(WebhookEvent.CLOSED)
    return events


def subscribed(event: str, targets: Sequence[registry.Target]) -> list[int]:
    return [t.id for t in targets if event in t.events]
