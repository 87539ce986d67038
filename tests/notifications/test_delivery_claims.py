"""Delivery claims outbox rows in one short transaction, sends with none open and records the
outcome in another (issue 9, item 9): a stalled mail server blocks no one, a killed worker's
messages go out again once its lease expires, and nothing is sent twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from kesu.core import clock, tasks
from kesu.notifications.models import OutboxMessage, OutboxStatus
from kesu.notifications.services import _claim, _record_success, deliver_pending
from tests.deadlines.smtp import free_port
from tests.deadlines.test_celery import database_url

ROOT = Path(__file__).resolve().parents[2]


def _message(subject: str, now: dt.datetime, *, offset: int = 0) -> OutboxMessage:
    # Created directly (not through outbox_add) so no delivery runs inline on commit.
    return OutboxMessage.objects.create(
        kind="test",
        recipient="someone@example.com",
        subject=subject,
        body="b",
        next_attempt_at=now + dt.timedelta(microseconds=offset),
        created_at=now,
    )


def _use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port


class StallingServer:
    """Accepts connections and never answers (no SMTP greeting) until released."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.released = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        self.connections.append(conn)
        self.accepted.set()
        self.released.wait()
        conn.close()

    def release(self) -> None:
        self.released.set()
        self.sock.close()
        self.thread.join(timeout=30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_server_that_never_answers_does_not_block_intake(register, settings, monkeypatch):
    server = StallingServer()
    _use_smtp(settings, server.port)
    settings.EMAIL_TIMEOUT = 600  # the sender stays stuck until the test releases the server
    monkeypatch.setattr(tasks, "dispatch", lambda name: None)  # no inline delivery on this thread
    now = clock.now()
    message = _message("stuck", now)
    sender_done = threading.Event()
    failures: list[BaseException] = []

    def send() -> None:
        try:
            deliver_pending(now=now)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()
            sender_done.set()

    sender = threading.Thread(target=send)
    sender.start()
    try:
        assert server.accepted.wait(timeout=60), "the sender never connected"

        complaint = register()

        # The intake committed while the sender is still waiting on the mail server.
        assert not sender_done.is_set()
        assert complaint.pk is not None and type(complaint).objects.filter(pk=complaint.pk).exists()
    finally:
        server.release()
        sender.join(timeout=60)
    assert failures == []
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim_token, message.claimed_until) == (
        OutboxStatus.PENDING,
        1,
        "",
        None,
    )


def test_a_claimed_message_is_not_claimed_again_until_its_lease_expires(db, now):
    message = _message("once", now)
    token, claimed = _claim(now=now, size=10)

    assert [m.pk for m in claimed] == [message.pk]
    assert _claim(now=now, size=10)[1] == []
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=clock.now() - dt.timedelta(seconds=1))
    second_token, again = _claim(now=now, size=10)
    assert [m.pk for m in again] == [message.pk] and second_token != token


def test_an_outcome_is_recorded_only_under_the_claim_that_sent_it(db, now):
    message = _message("once", now)
    token, _claimed = _claim(now=now, size=10)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=clock.now() - dt.timedelta(seconds=1))
    newer, _again = _claim(now=now, size=10)

    assert _record_success(message, token, OutboxStatus.SENT, now=now) is False
    message.refresh_from_db()
    assert (message.status, message.claim_token) == (OutboxStatus.PENDING, newer)


def test_a_message_whose_lease_was_taken_over_is_not_sent_by_the_old_claim(db, now, settings, mailoutbox):
    message = _message("once", now)
    token, claimed = _claim(now=now, size=10)
    OutboxMessage.objects.filter(pk=message.pk).update(claim_token="someone-else")

    from kesu.notifications.services import _still_ours

    assert _still_ours(claimed[0], token) is False


class StallOnce:
    """Records each message; the one whose subject is `stall` waits in DATA until released and is
    then refused (the connection it came on is dead by then), so it counts as not delivered."""

    def __init__(self) -> None:
        self.subjects: list[str] = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        subject = str(make_header(decode_header(email.message_from_bytes(envelope.content)["Subject"])))
        if subject == "stall" and not self.release.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 aborted"
        self.subjects.append(subject)
        return "250 OK"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(settings, tmp_path):
    port = free_port()
    handler = StallOnce()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    now = clock.now()
    messages = [
        _message(subject, now - dt.timedelta(seconds=1), offset=i)
        for i, subject in enumerate(["first", "stall", "third"])
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "KESU_DATA_DIR": str(tmp_path),
        "KESU_SMTP_HOST": "127.0.0.1",
        "KESU_SMTP_PORT": str(port),
        "KESU_LOG_LEVEL": "WARNING",
        "KESU_AUDIT_KEY": "test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "kesu.cli", "runtask", "deliver_outbox"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert handler.stalled.wait(timeout=120), "the worker never reached the stalled message"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        handler.release.set()
        _use_smtp(settings, port)

        # The dead worker's claim still holds: nobody sends its messages while the lease runs.
        assert deliver_pending(now=now) == 0
        first = OutboxMessage.objects.get(pk=messages[0].pk)
        assert (first.status, first.attempts) == (OutboxStatus.SENT, 1)
        assert handler.subjects == ["first"]

        # The lease expires: the rest goes out once, the sent one not again.
        OutboxMessage.objects.filter(claimed_until__isnull=False).update(
            claimed_until=clock.now() - dt.timedelta(seconds=1)
        )
        assert deliver_pending(now=now) == 2
        assert deliver_pending(now=now) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
        handler.release.set()
        controller.stop()
    assert handler.subjects == ["first", "stall", "third"]
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [OutboxStatus.SENT] * 3
