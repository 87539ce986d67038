"""The notification outbox: rows written with the change, delivered after commit with retries."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from kesu.core import tasks
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


def outbox_add(*, kind: str, recipient: str, subject: str, body: str, now: dt.datetime,
               channel: str = "email", recipient_user: User | None = None,
               complaint: Complaint | None = None) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        kind=kind, channel=channel, recipient=recipient, recipient_user=recipient_user,
        complaint=complaint, subject=subject[:200], body=body, next_attempt_at=now, created_at=now,
    )
    tasks.dispatch_after_commit("deliver_outbox")
    return message


def notify_users(*, users: Iterable[User], kind: str, subject: str, body: str, now: dt.datetime,
                 complaint: Complaint | None = None) -> list[OutboxMessage]:
    messages = []
    for user in users:
        messages.append(
            outbox_add(kind=kind, recipient=user.email or user.username, subject=subject, body=body,
                       now=now, recipient_user=user, complaint=complaint)
        )
    return messages


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def deliver_pending(*, now: dt.datetime, limit: int = 200) -> int:
    """Deliver due messages. Each is claimed under a row lock so two workers never send twice."""
    delivered = 0
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        with transaction.atomic():
            locked = OutboxMessage.objects.select_for_update(skip_locked=tasks.can_skip_locked()).filter(
                id=message_id, status=OutboxStatus.PENDING
            ).first()
            if locked is None:
                continue
            try:
                status = _send(locked)
            except Exception as exc:
                locked.attempts += 1
                locked.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                locked.next_attempt_at = now + _backoff(locked.attempts)
                if _refused_for_good(exc) and locked.attempts >= MAX_ATTEMPTS_WHEN_REFUSED:
                    locked.status = OutboxStatus.FAILED
                locked.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
                logger.warning("notification %s delivery failed (attempt %s)", locked.id, locked.attempts)
                continue
            locked.status = status
            locked.attempts += 1
            locked.sent_at = now
            locked.save(update_fields=["status", "attempts", "sent_at"])
            delivered += 1
    return delivered


def _refused_for_good(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _send(message: OutboxMessage) -> str:
    if message.channel == "sms":
        sms_gateway().send(to=message.recipient, text=message.body)
        return OutboxStatus.SENT
    if not settings.EMAIL_HOST and settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        # No mail server configured: record that the message would have gone out. The
        # recipient is deliberately not logged (it may be a customer's address).
        logger.info("notification %s (%s) logged: no mail server configured", message.id, message.kind)
        return OutboxStatus.LOGGED
    send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    return OutboxStatus.SENT
