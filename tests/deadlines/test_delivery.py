"""Notifications from the sweep survive a mail-server outage: delivered when it is back."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.notifications.models import OutboxMessage, OutboxStatus
from kesu.notifications.services import deliver_pending

from .conftest import at
from .smtp import free_port, smtp_server

pytestmark = pytest.mark.django_db


def test_escalation_mail_is_delivered_after_an_smtp_outage(reg, settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    complaint = reg(at(2026, 3, 2, 10))
    OutboxMessage.objects.all().delete()
    from kesu.deadlines.sweep import sweep

    sweep(now=at(2026, 3, 3, 10, 30))
    message = OutboxMessage.objects.get(kind="escalated")
    OutboxMessage.objects.exclude(pk=message.pk).delete()  # the hard limit's reminder is not the subject here
    t0 = at(2026, 3, 3, 10, 31)

    # The mail server is down: nothing is sent, nothing is lost.
    assert deliver_pending(now=t0) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt_at == t0 + dt.timedelta(seconds=30)

    controller, inbox = smtp_server(port)
    controller.start()
    try:
        assert deliver_pending(now=t0 + dt.timedelta(seconds=10)) == 0  # still backing off
        assert deliver_pending(now=t0 + dt.timedelta(seconds=30)) == 1
        assert deliver_pending(now=t0 + dt.timedelta(seconds=60)) == 0  # sent once
    finally:
        controller.stop()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert inbox.messages == [(["supervisor@example.com"], message.subject)]
    assert complaint.number in inbox.messages[0][1]
