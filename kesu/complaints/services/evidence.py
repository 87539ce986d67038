"""Evidence attachments (SPEC IN-2, IV-1): photos, recordings, documents with size and type limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.events import record_event
from kesu.complaints.models import Attachment, Complaint, attachment_path
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed

MAX_FILES_PER_COMPLAINT = 50


def sniff_content_type(head: bytes) -> str | None:
    """The type the file's first bytes show, for the types Kesu accepts."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    return "text/plain"


def validate_upload(*, name: str, size: int, head: bytes, field: str = "file") -> str:
    """The accepted content type, or ValidationFailed naming the field."""
    if size <= 0:
        raise ValidationFailed([FieldError(field, _("The file is empty."), "empty")])
    if size > settings.KESU_MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    _("The file is too large (at most %(mb)d MB).") % {"mb": settings.KESU_MAX_UPLOAD_BYTES // 2**20},
                    "too_large",
                )
            ]
        )
    suffix = PurePath(name).suffix.lower()
    sniffed = sniff_content_type(head)
    allowed: dict[str, list[str]] = settings.KESU_ALLOWED_UPLOAD_TYPES
    if sniffed is None or sniffed not in allowed or suffix not in allowed[sniffed]:
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    _("This type of file is not accepted. Send JPEG, PNG, WebP, PDF, MP3, WAV, MP4 or text."),
                    "file_type",
                )
            ]
        )
    return sniffed


def safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    cleaned = "".join(ch for ch in base if ch.isalnum() or ch in "._-（）() ")
    return cleaned[-120:] or "file"


@dataclass(frozen=True)
class StoredFile:
    """An evidence file already written to storage, not yet registered in the database."""

    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def _storage() -> Storage:
    return Attachment._meta.get_field("file").storage


def evidence_store(*, upload: IO[bytes], name: str, size: int, complaint: Complaint | None = None) -> StoredFile:
    """Validate and write one file to storage before any transaction opens (file I/O never holds
    a database lock). Without a complaint (intake: no number yet) it goes under `evidence/intake/`.
    The caller registers it with `attachment_register` or removes it with `evidence_discard`."""
    head = upload.read(512)
    upload.seek(0)
    content_type = validate_upload(name=name, size=size, head=head)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    original = safe_name(name)
    if complaint is not None:
        path = attachment_path(Attachment(complaint=complaint), original)
    else:
        path = f"evidence/intake/{uuid.uuid4().hex}/{original}"
    stored_name = _storage().save(path, File(upload))
    return StoredFile(
        original_name=original, stored_name=stored_name, content_type=content_type, size=size, sha256=digest.hexdigest()
    )


def evidence_discard(files: Sequence[StoredFile]) -> None:
    for stored in files:
        _storage().delete(stored.stored_name)


def attachment_register(
    *, actor: User | None, complaint: Complaint, stored: StoredFile, description: str, now: dt.datetime
) -> Attachment:
    """The database half: the row and its timeline event. Call inside a transaction with the
    complaint locked."""
    if complaint.attachments.count() >= MAX_FILES_PER_COMPLAINT:
        raise ValidationFailed(
            [FieldError("file", _("This complaint already has the most files allowed."), "too_many")]
        )
    attachment = Attachment(
        complaint=complaint,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
        uploaded_at=now,
        description=description,
    )
    attachment.file.name = stored.stored_name
    attachment.save(force_insert=True)
    record_event(
        complaint=complaint,
        kind="evidence_added",
        actor=actor,
        at=now,
        data={
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "content_type": stored.content_type,
            "size": stored.size,
            "sha256": stored.sha256,
        },
    )
    return attachment


def attachment_add(
    *,
    actor: User | None,
    complaint: Complaint,
    upload: IO[bytes],
    name: str,
    size: int,
    description: str,
    now: dt.datetime,
) -> Attachment:
    """Store one evidence file and record it in the timeline. Nothing is kept when it is refused."""
    if actor is not None and actor.role == Role.AUDITOR:
        raise PermissionDenied(_("Auditors have read-only access."))
    if len(description) > 200:
        raise ValidationFailed(
            [
                FieldError(
                    "description",
                    _("Enter at most %(max)d characters (it has %(length)d).")
                    % {"max": 200, "length": len(description)},
                    "max_length",
                )
            ]
        )
    stored = evidence_store(upload=upload, name=name, size=size, complaint=complaint)
    try:
        with transaction.atomic():
            locked = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)
            return attachment_register(actor=actor, complaint=locked, stored=stored, description=description, now=now)
    except BaseException:
        evidence_discard([stored])
        raise


def attachment_get(*, complaint: Complaint, attachment_id: int, user: Any = None) -> Attachment:
    """One document of `complaint`; 404 as well when its confidentiality level does not admit `user`."""
    from kesu.complaints.confidentiality import level_admits

    found = complaint.attachments.filter(pk=attachment_id).first()
    if found is None or (user is not None and not level_admits(user, complaint, found.confidentiality)):
        raise NotFound(_("No such file."))
    return found


def attachment_dict(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.uploaded_at,
        "description": attachment.description,
        "confidentiality": attachment.confidentiality,
    }
