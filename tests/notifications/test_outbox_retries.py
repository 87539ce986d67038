"""The outbox keeps a message through any outage and gives up only on a permanent refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller

from kesu.notifications.models import OutboxMessage, OutboxStatus
from kesu.notifications.services import deliver_pending, outbox_add
from tests.deadlines.smtp import free_port

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class RefuseEveryone:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such user"


def _smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port


def test_a_long_outage_never_gives_a_message_up(settings):
    _smtp(settings, free_port())  # nothing listens there
    message = outbox_add(kind="test", recipient="a@example.com", subject="s", body="b", now=T0)
    now = T0
    for _ in range(30):
        message.refresh_from_db()
        now = message.next_attempt_at
        deliver_pending(now=now)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 30
    assert message.next_attempt_at - now == dt.timedelta(hours=1)  # backoff capped


def test_a_permanent_refusal_fails_after_three_attempts(settings):
    port = free_port()
    _smtp(settings, port)
    controller = Controller(RefuseEveryone(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        message = outbox_add(kind="test", recipient="nobody@example.com", subject="s", body="b", now=T0)
        for _ in range(3):
            message.refresh_from_db()
            deliver_pending(now=message.next_attempt_at)
    finally:
        controller.stop()
    message = OutboxMessage.objects.get(pk=message.pk)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert "550" in message.last_error
