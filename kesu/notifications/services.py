"""The notification outbox: rows written with the change, delivered after commit with retries."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q

from kesu.core import clock, tasks
from kesu.notifications.gateways import sms_gateway
from kesu.notifications.models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from kesu.accounts.models import User
    from kesu.complaints.models import Complaint

logger = logging.getLogger(__name__)

# A message the server refuses for good (5xx: unknown recipient, rejected content) is given up
# after this many attempts; an outage (connection refused, timeouts, 4xx) is retried for as
# long as it lasts, at most hourly, so nothing is lost while the mail server is down.
MAX_ATTEMPTS_WHEN_REFUSED = 3


def outbox_add(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    now: dt.datetime,
    channel: str = "email",
    recipient_user: User | None = None,
    complaint: Complaint | None = None,
) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        kind=kind,
        channel=channel,
        recipient=recipient,
        recipient_user=recipient_user,
        complaint=complaint,
        subject=subject[:200],
        body=body,
        next_attempt_at=now,
        created_at=now,
    )
    tasks.dispatch_after_commit("deliver_outbox")
    return message


def notify_users(
    *, users: Iterable[User], kind: str, subject: str, body: str, now: dt.datetime, complaint: Complaint | None = None
) -> list[OutboxMessage]:
    """Staff notifications: one e-mail row per user, then routed to the channels each user chose
    (kesu.channels.preferences: e-mail, their department's robot, SMS)."""
    from kesu.channels.preferences import route

    rows = [
        OutboxMessage(
            kind=kind,
            channel="email",
            recipient=user.email or user.username,
            recipient_user=user,
            complaint=complaint,
            subject=subject[:200],
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for user in users
    ]
    messages = route(rows)
    for message in messages:
        message.save(force_insert=True)
    if messages:
        tasks.dispatch_after_commit("deliver_outbox")
    return messages


# Senders of the outbox channels other apps add (kesu.channels: webhooks, group robots), by
# channel name: each sends one message and returns the status to record, or raises to retry.
OUTBOX_CHANNELS: dict[str, Callable[[OutboxMessage], str]] = {}


def register_outbox_channel(channel: str, sender: Callable[[OutboxMessage], str]) -> None:
    OUTBOX_CHANNELS[channel] = sender


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


# How long a claim keeps other workers off a message. Longer than a send can take (the SMTP
# timeout is EMAIL_TIMEOUT), so a live worker's lease does not expire under it; a dead worker's
# messages go out again after it.
LEASE = dt.timedelta(minutes=5)
CLAIM_BATCH = 20


def deliver_pending(*, now: dt.datetime, limit: int = 200) -> int:
    """Deliver due messages: claim a few in a short transaction, send them with no transaction
    open (a stalled mail server never holds a lock that intake waits on), record each outcome in
    a second short transaction that checks the claim token, so a message is sent at most once per
    claim."""
    delivered = 0
    remaining = limit
    while remaining > 0:
        token, claimed = _claim(now=now, size=min(CLAIM_BATCH, remaining))
        if not claimed:
            break
        remaining -= len(claimed)
        for message in claimed:
            if not _still_ours(message, token):
                continue
            try:
                status = _send(message)
            except Exception as exc:
                _record_failure(message, token, exc, now=now)
                continue
            if _record_success(message, token, status, now=now):
                delivered += 1
    return delivered


def _lease_clock() -> dt.datetime:
    # Leases are about real elapsed time between workers, not the business `now` passed in.
    return clock.now()


def _claim(*, now: dt.datetime, size: int) -> tuple[str, list[OutboxMessage]]:
    token = uuid.uuid4().hex
    lease_now = _lease_clock()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=lease_now)
    due = OutboxMessage.objects.filter(free, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        if tasks.can_skip_locked():
            # PostgreSQL: rows another worker is claiming right now are skipped, not waited on.
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "id")
                .values_list("id", flat=True)[:size]
            )
        else:
            ids = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:size])
        if not ids:
            return token, []
        # The conditions again in the UPDATE: on SQLite this conditional UPDATE is the claim.
        due.filter(id__in=ids).update(claim_token=token, claimed_until=lease_now + LEASE)
    return token, list(OutboxMessage.objects.filter(claim_token=token).order_by("next_attempt_at", "id"))


def _still_ours(message: OutboxMessage, token: str) -> bool:
    """Renew the lease just before sending; False when it expired and another worker took it."""
    return bool(
        OutboxMessage.objects.filter(id=message.id, claim_token=token, status=OutboxStatus.PENDING).update(
            claimed_until=_lease_clock() + LEASE
        )
    )


def _record_success(message: OutboxMessage, token: str, status: str, *, now: dt.datetime) -> bool:
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(id=message.id, claim_token=token).update(
            status=status,
            attempts=F("attempts") + 1,
            sent_at=now,
            claim_token="",
            claimed_until=None,
        )
    if not updated:
        logger.warning("notification %s was sent but its claim had been taken over", message.id)
    return bool(updated)


def _record_failure(message: OutboxMessage, token: str, exc: Exception, *, now: dt.datetime) -> None:
    attempts = message.attempts + 1
    changes: dict[str, object] = {
        "attempts": attempts,
        "last_error": f"{type(exc).__name__}: {exc}"[:2000],
        "next_attempt_at": now + _backoff(attempts),
        "claim_token": "",
        "claimed_until": None,
    }
    if _refused_for_good(exc) and attempts >= MAX_ATTEMPTS_WHEN_REFUSED:
        changes["status"] = OutboxStatus.FAILED
    with transaction.atomic():
        OutboxMessage.objects.filter(id=message.id, claim_token=token).update(**changes)
    logger.warning("notification %s delivery failed (attempt %s)", message.id, attempts)


def _refused_for_good(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _send(message: OutboxMessage) -> str:
    if message.channel in OUTBOX_CHANNELS:
        return OUTBOX_CHANNELS[message.channel](message)
    if message.channel == "sms":
        gateway = sms_gateway()
        if hasattr(gateway, "send_message"):  # template gateways (Aliyun, Tencent) need the kind
            gateway.send_message(message)
        else:
            gateway.send(to=message.recipient, text=message.body)
        return OutboxStatus.SENT
    if not settings.EMAIL_HOST and settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        # No mail server configured: record that the message would have gone out. The
        # recipient is deliberately not logged (it may be a customer's address).
        logger.info("notification %s (%s) logged: no mail server configured", message.id, message.kind)
        return OutboxStatus.LOGGED
    EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.recipient],
        headers=mail_headers(message),
    ).send()
    return OutboxStatus.SENT


def outbox_message_id(pk: int) -> str:
    """The Message-ID of an outbox e-mail: the same on every attempt, so a reply's In-Reply-To
    names the message (and through it the complaint) it answers (kesu.channels.mail)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<kesu-{pk}@{domain}>"


def mail_headers(message: OutboxMessage) -> dict[str, str]:
    # Auto-Submitted (RFC 3834): out-of-office robots do not answer Kesu's mail.
    return {"Message-ID": outbox_message_id(message.pk), "Auto-Submitted": "auto-generated"}
