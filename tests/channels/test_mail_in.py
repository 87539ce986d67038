"""E-mail in (SPEC IN-1) against a real Dovecot on loopback, and the real SMTP server for Kesu's
own mail: a new message becomes a complaint, a reply joins its complaint, automatic mail is
ignored, and a message that fails is kept, retried and registered once."""

from __future__ import annotations

import datetime as dt
import email
import shutil
import tempfile
import threading
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from kesu.channels.mail import inbound_process, mail_poll, mailbox_idle
from kesu.channels.models import InboundMail, InboundStatus
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications.services import deliver_pending, outbox_add
from tests.channels.dovecot import PASSWORD, USER, Dovecot
from tests.deadlines.smtp import free_port

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def dovecot():
    root = Path(tempfile.mkdtemp(prefix="kesu-dovecot-"))
    server = Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, monkeypatch, settings):
    import imaplib

    conn = imaplib.IMAP4("127.0.0.1", dovecot.port)
    conn.login(USER, PASSWORD)
    _typ, data = conn.select("INBOX")
    if int(data[0] or 0):
        conn.store("1:*", "+FLAGS", "(\\Deleted)")
        conn.expunge()
    conn.logout()
    monkeypatch.setenv("KESU_MAIL_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("KESU_MAIL_IMAP_PORT", str(dovecot.port))
    monkeypatch.setenv("KESU_MAIL_IMAP_SSL", "false")
    monkeypatch.setenv("KESU_MAIL_IMAP_USER", USER)
    monkeypatch.setenv("KESU_MAIL_IMAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("KESU_MAIL_ADDRESS", "complaints@kesu.example")
    settings.DEFAULT_FROM_EMAIL = "kesu@kesu.example"
    return dovecot


def mail(
    *,
    sender: str = "李四 <lisi@example.com>",
    subject: str = "快递三天没到",
    text: str = "订单 A1001 的包裹三天没有更新物流，请尽快处理。",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "complaints@kesu.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now() - dt.timedelta(minutes=5))
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def test_a_new_message_becomes_a_complaint(mailbox, users):
    mailbox.append(mail(attachments=[("包裹.png", PNG, "image/png")]))
    result = mail_poll()
    assert result == {"fetched": 1, "processed": 1}
    complaint = Complaint.objects.get()
    assert complaint.channel == "email"
    assert complaint.title == "快递三天没到"
    assert "A1001" in complaint.description
    assert complaint.contact_email == "lisi@example.com"
    assert complaint.customer.name == "李四"
    assert [a.original_name for a in complaint.attachments.all()] == ["包裹.png"]
    assert InboundMail.objects.get().status == InboundStatus.REGISTERED
    assert mailbox.unseen() == 0  # flagged \Seen once kept
    assert mail_poll() == {"fetched": 0, "processed": 0}


def test_an_attachment_of_a_refused_type_is_not_kept(mailbox, users):
    mailbox.append(mail(attachments=[("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream")]))
    mail_poll()
    complaint = Complaint.objects.get()
    assert complaint.attachments.count() == 0
    assert "setup.exe" in complaint.description


def test_a_reply_with_the_number_in_the_subject_is_threaded(mailbox, users):
    mailbox.append(mail())
    mail_poll()
    complaint = Complaint.objects.get()
    mailbox.append(mail(subject=f"Re: 您的投诉 {complaint.number}", text="补充：快递员电话打不通。"))
    assert mail_poll() == {"fetched": 1, "processed": 1}
    assert Complaint.objects.count() == 1
    event = ComplaintEvent.objects.get(complaint=complaint, kind="mail_received")
    assert "快递员电话打不通" in event.note
    assert InboundMail.objects.filter(status=InboundStatus.THREADED, complaint=complaint).count() == 1


def test_the_number_from_a_stranger_makes_a_new_complaint_not_a_thread(mailbox, users):
    mailbox.append(mail())
    mail_poll()
    first = Complaint.objects.get()
    mailbox.append(mail(sender="someone@else.example", subject=f"关于 {first.number}"))
    mail_poll()
    assert Complaint.objects.count() == 2
    assert not ComplaintEvent.objects.filter(kind="mail_received").exists()


class Capture:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def test_a_reply_to_kesus_own_message_id_is_threaded(mailbox, users, register, settings, now):
    port = free_port()
    capture = Capture()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        complaint = register(customer={"name": "王五", "email": "wangwu@example.com"})
        outbox_add(
            kind="result",
            recipient="wangwu@example.com",
            subject="处理结果",
            body="已退款。",
            now=now,
            complaint=complaint,
        )
        deliver_pending(now=now)
        deliver_pending(now=now + dt.timedelta(days=1))
    finally:
        controller.stop()
    sent = [m for m in capture.messages if m["To"] == "wangwu@example.com"]
    assert len(sent) >= 1
    message_id = sent[-1]["Message-ID"]
    assert message_id.startswith("<kesu-") and message_id.endswith("@kesu.example>")
    assert sent[-1]["Auto-Submitted"] == "auto-generated"
    mailbox.append(
        mail(
            sender="wangwu@example.com",
            subject="Re: 处理结果",
            text="收到，谢谢。",
            headers={"In-Reply-To": message_id},
        )
    )
    mail_poll()
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.get(complaint=complaint, kind="mail_received").note == "收到，谢谢。"


@pytest.mark.parametrize(
    ("sender", "headers", "reason"),
    [
        ("lisi@example.com", {"Auto-Submitted": "auto-replied"}, "auto-submitted"),
        ("lisi@example.com", {"Precedence": "bulk"}, "precedence"),
        ("MAILER-DAEMON@mx.example.com", {}, "bounce"),
        ("kesu@kesu.example", {}, "loop"),
        ("complaints@kesu.example", {}, "loop"),
    ],
)
def test_automatic_mail_is_ignored(mailbox, users, sender, headers, reason):
    mailbox.append(mail(sender=sender, subject="自动回复：我正在休假", headers=headers))
    mail_poll()
    assert Complaint.objects.count() == 0
    row = InboundMail.objects.get()
    assert (row.status, row.reason) == (InboundStatus.IGNORED, reason)


def test_a_failed_message_is_kept_retried_and_registered_once(mailbox, users, monkeypatch):
    from kesu.complaints.services import intake

    real = intake.complaint_register
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(intake, "complaint_register", flaky)
    raw = mail()
    mailbox.append(raw)
    now = timezone.now()
    mail_poll(now=now)
    row = InboundMail.objects.get()
    assert (row.status, row.attempts) == (InboundStatus.FAILED, 1)
    assert "database went away" in row.last_error
    assert Complaint.objects.count() == 0
    assert mailbox.unseen() == 0  # taken from the server: kept in Kesu, not lost
    mailbox.append(raw)  # the same message delivered twice
    assert mail_poll(now=now)["fetched"] == 0
    assert inbound_process(now=now) == 0  # not due yet
    later = row.next_attempt_at
    assert inbound_process(now=later) == 1
    assert inbound_process(now=later + dt.timedelta(hours=2)) == 0
    assert Complaint.objects.count() == 1
    row.refresh_from_db()
    assert row.status == InboundStatus.REGISTERED and row.complaint_id == Complaint.objects.get().pk


def test_the_poll_command(mailbox, users, capsys):
    mailbox.append(mail())
    call_command("mail", "poll")
    assert "fetched 1, processed 1" in capsys.readouterr().out
    assert Complaint.objects.count() == 1


def test_idle_wakes_up_on_new_mail(mailbox):
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(mailbox_idle(timeout=120)))
    waiter.start()
    attempts = 0
    while waiter.is_alive() and attempts < 50:
        mailbox.append(mail())  # until the waiting connection has seen one arrive
        waiter.join(timeout=1)
        attempts += 1
    waiter.join(timeout=130)
    assert woke == [True]
