"""E-mail in (SPEC IN-1): the complaint mailbox, read over IMAP.

Two steps, so that no message is ever lost or registered twice:
1. `mailbox_fetch` copies each unseen message whole into InboundMail (unique by Message-ID) and
   only then flags it \\Seen on the server: a crash in between fetches it again, harmlessly.
2. `inbound_process` turns each stored message into a complaint, a reply threaded into an
   existing complaint, or nothing (auto-replies, bounces, loops). The status change and the
   complaint are written in one transaction guarded by the row's status, so a retry of a message
   that failed never makes a second complaint; a failure is recorded and retried with backoff.

Configured by environment variables (README, docs/channels.md); `kesu mail poll` runs both steps,
and the scheduler does when KESU_MAIL_IMAP_HOST is set."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import html
import imaplib
import io
import logging
import os
import re
import select
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kesu.channels.models import InboundMail, InboundStatus, MailboxState
from kesu.core import clock

logger = logging.getLogger(__name__)

MAX_ATTEMPTS_SHOWN = 20


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str
    address: str

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)


def mailbox_config() -> MailboxConfig:
    env = os.environ.get
    use_ssl = env("KESU_MAIL_IMAP_SSL", "true").lower() in ("1", "true", "yes", "on")
    return MailboxConfig(
        host=env("KESU_MAIL_IMAP_HOST", ""),
        port=int(env("KESU_MAIL_IMAP_PORT", "993" if use_ssl else "143")),
        ssl=use_ssl,
        user=env("KESU_MAIL_IMAP_USER", ""),
        password=env("KESU_MAIL_IMAP_PASSWORD", ""),
        folder=env("KESU_MAIL_IMAP_FOLDER", "INBOX"),
        address=env("KESU_MAIL_ADDRESS", "") or env("KESU_MAIL_IMAP_USER", ""),
    )


def _connect(config: MailboxConfig) -> imaplib.IMAP4:
    conn: imaplib.IMAP4
    if config.ssl:
        conn = imaplib.IMAP4_SSL(config.host, config.port, timeout=30)
    else:
        conn = imaplib.IMAP4(config.host, config.port, timeout=30)
    conn.login(config.user, config.password)
    conn.select(config.folder)
    return conn


def _state() -> MailboxState:
    state = MailboxState.objects.order_by("pk").first()
    return state or MailboxState.objects.create()


def message_id_of(raw: bytes, parsed: Any) -> str:
    value = str(parsed.get("Message-ID", "") or "").strip()
    if value:
        return value[:500]
    # No Message-ID: the content stands for it, so the same message fetched twice is still one.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@kesu.invalid>"


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def inbound_store(*, raw: bytes, now: dt.datetime) -> tuple[InboundMail, bool]:
    """Keep a fetched message; the second copy of a Message-ID is the first."""
    parsed = _parse(raw)
    message_id = message_id_of(raw, parsed)
    sender = email.utils.parseaddr(str(parsed.get("From", "")))[1]
    with transaction.atomic():
        row, created = InboundMail.objects.get_or_create(
            message_id=message_id,
            defaults={
                "raw": raw,
                "sender": sender[:254],
                "subject": str(parsed.get("Subject", "") or "")[:300],
                "received_at": now,
                "next_attempt_at": now,
            },
        )
    return row, created


def mailbox_fetch(*, now: dt.datetime, config: MailboxConfig | None = None) -> int:
    """Copy the unseen messages of the mailbox into InboundMail; flag each \\Seen once kept."""
    config = config or mailbox_config()
    if not config.configured:
        return 0
    state = _state()
    fetched = 0
    try:
        conn = _connect(config)
        try:
            capabilities = getattr(conn, "capabilities", ())
            state.idle_supported = "IDLE" in capabilities
            typ, data = conn.uid("SEARCH", "UNSEEN")
            uids = (data[0] or b"").split() if typ == "OK" else []
            for raw_uid in uids:
                uid = raw_uid.decode() if isinstance(raw_uid, bytes) else str(raw_uid)
                typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if typ != "OK" or raw is None:
                    continue
                _row, created = inbound_store(raw=raw, now=now)
                fetched += created
                conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()
    except (imaplib.IMAP4.error, OSError) as exc:
        state.last_poll_at, state.last_error = now, f"{type(exc).__name__}: {exc}"[:1000]
        state.save()
        logger.warning("mailbox poll failed: %s", type(exc).__name__)
        return fetched
    state.last_poll_at = state.last_ok_at = now
    state.last_error = ""
    state.fetched_total += fetched
    state.save()
    return fetched


def mailbox_idle(*, config: MailboxConfig | None = None, timeout: float = 600.0) -> bool:
    """Wait on IMAP IDLE (RFC 2177) until the server reports new mail or `timeout` passes; True
    when there may be new mail. Without IDLE it returns at once, and the caller polls."""
    config = config or mailbox_config()
    conn = _connect(config)
    try:
        if "IDLE" not in getattr(conn, "capabilities", ()):
            time.sleep(min(timeout, 60.0))  # no IDLE: poll again in a minute
            return True
        tag = conn._new_tag()
        conn.send(tag + b" IDLE\r\n")
        line = conn.readline()
        if not line.startswith(b"+"):
            return True
        sock = conn.socket()
        news = False
        while not news:
            ready, _w, _x = select.select([sock], [], [], timeout)
            if not ready:
                break
            line = conn.readline()
            if not line:
                break
            news = b"EXISTS" in line or b"RECENT" in line
        conn.send(b"DONE\r\n")
        while True:
            line = conn.readline()
            if not line or line.startswith(tag):
                break
        return news
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


# --- processing -------------------------------------------------------------------------------


AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


def ignore_reason(parsed: Any, *, own_addresses: set[str]) -> str:
    """Why a message is no complaint: an auto-reply, a bounce, or Kesu's own mail come back."""
    auto = str(parsed.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return "auto-submitted"
    if str(parsed.get("Precedence", "") or "").strip().lower() in AUTO_PRECEDENCE:
        return "precedence"
    if parsed.get("X-Autoreply") or parsed.get("X-Autorespond") or parsed.get("X-Auto-Response-Suppress"):
        return "auto-reply"
    sender = email.utils.parseaddr(str(parsed.get("From", "")))[1].lower()
    return_path = str(parsed.get("Return-Path", "") or "").strip()
    if return_path == "<>" or not sender or BOUNCE_SENDERS.match(sender):
        return "bounce"
    if parsed.get_content_type() == "multipart/report":
        return "bounce"
    if sender in own_addresses:
        return "loop"
    return ""


def own_addresses() -> set[str]:
    config = mailbox_config()
    addresses = {email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), config.address.lower()}
    return {a for a in addresses if a}


class _TextOfHtml:
    TAGS = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)

    @classmethod
    def text(cls, markup: str) -> str:
        markup = re.sub(r"<br\s*/?>|</p>", "\n", markup, flags=re.IGNORECASE)
        return html.unescape(cls.TAGS.sub("", markup))


def body_text(parsed: Any) -> str:
    part = parsed.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        content = _TextOfHtml.text(content)
    return re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()


def attachments_of(parsed: Any) -> list[tuple[str, bytes]]:
    files = []
    for part in parsed.iter_attachments():
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        files.append((part.get_filename() or "attachment", payload))
    return files


def _numbers_in(subject: str) -> list[str]:
    prefix = re.escape(settings.KESU_NUMBER_PREFIX)
    return re.findall(prefix + r"\d{6}-\d{5}", subject)


def thread_target(parsed: Any, sender: str) -> Any | None:
    """The complaint a message answers: one named by the In-Reply-To/References of Kesu's own
    Message-ID, or whose number is in the subject and whose customer wrote from this address."""
    from kesu.complaints.models import Complaint
    from kesu.notifications.models import OutboxMessage

    referenced = " ".join(str(parsed.get(h, "") or "") for h in ("In-Reply-To", "References"))
    ids = [int(i) for i in re.findall(r"<kesu-(\d+)@", referenced)]
    if ids:
        complaint_id = (
            OutboxMessage.objects.filter(pk__in=ids, complaint__isnull=False)
            .values_list("complaint_id", flat=True)
            .first()
        )
        if complaint_id:
            return Complaint.objects.get(pk=complaint_id)
    for number in _numbers_in(str(parsed.get("Subject", "") or "")):
        complaint = Complaint.objects.filter(number=number).select_related("customer").first()
        if complaint is not None and sender and sender.lower() in _contact_emails(complaint):
            return complaint
    return None


def _contact_emails(complaint: Any) -> set[str]:
    emails = {str(getattr(complaint, "contact_email", "") or "").lower()}
    customer = getattr(complaint, "customer", None)
    if customer is not None:
        emails.add(str(getattr(customer, "email", "") or "").lower())
    return {e for e in emails if e}


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 60 * 2 ** max(0, attempts - 1)))


def inbound_process(*, now: dt.datetime, limit: int = 100) -> int:
    """Process the stored messages that are due; returns how many were settled."""
    due = list(
        InboundMail.objects.filter(
            status__in=[InboundStatus.PENDING, InboundStatus.FAILED], next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")[:limit]
    )
    settled = 0
    for row in due:
        try:
            if _process_one(row, now=now):
                settled += 1
        except Exception as exc:  # kept and retried: whatever went wrong, the message stays
            attempts = row.attempts + 1
            InboundMail.objects.filter(pk=row.pk, status__in=[InboundStatus.PENDING, InboundStatus.FAILED]).update(
                status=InboundStatus.FAILED,
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=now + _backoff(attempts),
            )
            logger.warning("incoming mail %s failed (attempt %s)", row.pk, attempts)
    return settled


def _claim(row: InboundMail, status: str, **changes: Any) -> bool:
    """The row's status moves from waiting to `status` once: the guard against doing it twice."""
    return bool(
        InboundMail.objects.filter(pk=row.pk, status__in=[InboundStatus.PENDING, InboundStatus.FAILED]).update(
            status=status, **changes
        )
    )


def _process_one(row: InboundMail, *, now: dt.datetime) -> bool:
    from kesu.complaints.services.intake import complaint_register
    from kesu.complaints.services.intake_files import Upload, register_with_files

    parsed = _parse(bytes(row.raw))
    reason = ignore_reason(parsed, own_addresses=own_addresses())
    if reason:
        with transaction.atomic():
            return _claim(row, InboundStatus.IGNORED, reason=reason, processed_at=now)
    name, sender = email.utils.parseaddr(str(parsed.get("From", "")))
    text = body_text(parsed)
    files = attachments_of(parsed)
    target = thread_target(parsed, sender)
    if target is not None:
        return _thread(row, target, parsed=parsed, text=text, files=files, now=now)
    accepted, refused = _check_files(files)
    subject = str(parsed.get("Subject", "") or "").strip()
    description = (text or subject or _("(The e-mail had no text.)"))[:10000]
    if refused:
        description = (description + "\n\n" + _refused_note(refused))[:10000]
    payload: dict[str, Any] = {
        "channel": "email",
        "customer": {"name": (name or sender.partition("@")[0] or sender)[:100], "email": sender},
        "title": subject[:200],
        "description": description,
        "received_at": _received_at(parsed, now).isoformat(),
    }

    def register() -> Any:
        if not _claim(row, InboundStatus.REGISTERED, processed_at=now, attempts=row.attempts + 1):
            raise _AlreadyDone()
        complaint = complaint_register(actor=None, payload=payload, now=now)
        InboundMail.objects.filter(pk=row.pk).update(complaint=complaint)
        return complaint

    uploads = [Upload(file=io.BytesIO(data), name=filename, size=len(data)) for filename, data in accepted]
    try:
        register_with_files(register=register, actor=None, uploads=uploads, now=now)
    except _AlreadyDone:
        return False
    return True


class _AlreadyDone(Exception):
    """Another worker settled the message first."""


def _received_at(parsed: Any, now: dt.datetime) -> dt.datetime:
    try:
        sent = email.utils.parsedate_to_datetime(str(parsed.get("Date", "")))
    except (TypeError, ValueError):
        return now
    if sent is None or sent.tzinfo is None or sent > now or now - sent > dt.timedelta(days=30):
        return now
    return sent


def _check_files(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """The attachments the evidence rules accept, and the refused ones with the reason."""
    from kesu.complaints.services.evidence import validate_upload
    from kesu.complaints.services.intake_files import MAX_FILES_AT_INTAKE
    from kesu.core.errors import DomainError

    accepted: list[tuple[str, bytes]] = []
    refused: list[tuple[str, str]] = []
    for filename, data in files:
        if len(accepted) >= MAX_FILES_AT_INTAKE:
            refused.append((filename, _("Send at most %(count)d files.") % {"count": MAX_FILES_AT_INTAKE}))
            continue
        try:
            validate_upload(name=filename, size=len(data), head=data[:512], field="attachment")
        except DomainError as exc:
            refused.append((filename, str(exc.message)))
            continue
        accepted.append((filename, data))
    return accepted, refused


def _refused_note(refused: list[tuple[str, str]]) -> str:
    lines = [_("Attachments not kept:")] + [f"- {name}: {why}" for name, why in refused]
    return "\n".join(lines)


def _thread(
    row: InboundMail, complaint: Any, *, parsed: Any, text: str, files: list[tuple[str, bytes]], now: dt.datetime
) -> bool:
    from kesu.complaints.events import record_event
    from kesu.complaints.models import Complaint
    from kesu.complaints.services.evidence import attachment_register, evidence_discard, evidence_store

    accepted, refused = _check_files(files)
    stored = []
    try:
        for filename, data in accepted:
            stored.append(evidence_store(upload=io.BytesIO(data), name=filename, size=len(data), complaint=complaint))
        with transaction.atomic():
            if not _claim(
                row, InboundStatus.THREADED, processed_at=now, attempts=row.attempts + 1, complaint=complaint
            ):
                raise _AlreadyDone()
            locked = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)
            note = text[:4000]
            if refused:
                note = (note + "\n\n" + _refused_note(refused))[:5000]
            record_event(
                complaint=locked,
                kind="mail_received",
                actor=None,
                at=now,
                note=note,
                data={"subject": str(parsed.get("Subject", "") or "")[:200], "message_id": row.message_id[:200]},
            )
            for item in stored:
                attachment_register(actor=None, complaint=locked, stored=item, description="", now=now)
    except _AlreadyDone:
        evidence_discard(stored)
        return False
    except BaseException:
        evidence_discard(stored)
        raise
    return True


def mail_poll(*, now: dt.datetime | None = None) -> dict[str, int]:
    """`kesu mail poll`: fetch what is new, then process what is due."""
    now = now or clock.now()
    fetched = mailbox_fetch(now=now)
    processed = inbound_process(now=now)
    return {"fetched": fetched, "processed": processed}


def mailbox_status() -> dict[str, Any]:
    config = mailbox_config()
    state = MailboxState.objects.order_by("pk").first()
    counts = {s: 0 for s in InboundStatus.values}
    from django.db.models import Count

    for row in InboundMail.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {"config": config, "state": state, "counts": counts}
