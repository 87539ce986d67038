"""Registering a complaint together with its evidence files, all or nothing (SPEC IN-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services.evidence import (
    StoredFile,
    attachment_register,
    evidence_discard,
    evidence_store,
    validate_upload,
)
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.validation import parse_intake
from kesu.core.errors import DomainError, FieldError, ValidationFailed

MAX_FILES_AT_INTAKE = 5


@dataclass(frozen=True)
class Upload:
    file: IO[bytes]
    name: str
    size: int


def check_uploads(uploads: Sequence[Upload], *, field: str, allowed: Sequence[str] | None = None) -> None:
    """Refuse the whole set before anything is stored: too many, too large, or of a wrong type."""
    errors: list[FieldError] = []
    if len(uploads) > MAX_FILES_AT_INTAKE:
        errors.append(
            FieldError(field, _("Send at most %(count)d files.") % {"count": MAX_FILES_AT_INTAKE}, "too_many")
        )
    for upload in uploads[:MAX_FILES_AT_INTAKE]:
        head = upload.file.read(512)
        upload.file.seek(0)
        try:
            content_type = validate_upload(name=upload.name, size=upload.size, head=head, field=field)
        except DomainError as exc:
            errors.extend(exc.errors)
            continue
        if allowed is not None and content_type not in allowed:
            errors.append(FieldError(field, _("Only photos (JPEG, PNG or WebP) are accepted here."), "file_type"))
    if errors:
        raise ValidationFailed(errors)


def register_with_files(
    *, register: Callable[[], Complaint], actor: User | None, uploads: Sequence[Upload], now: dt.datetime
) -> Complaint:
    """The files are written first, with no transaction open (a slow disk or network storage never
    holds the database's write lock); then the complaint and its attachment rows in one
    transaction. On any refusal the written files are removed: nothing is kept."""
    stored: list[StoredFile] = []
    try:
        for upload in uploads:
            stored.append(evidence_store(upload=upload.file, name=upload.name, size=upload.size))
        with transaction.atomic():
            complaint = register()
            for item in stored:
                attachment_register(actor=actor, complaint=complaint, stored=item, description="", now=now)
    except BaseException:
        evidence_discard(stored)
        raise
    return complaint


def staff_register(
    *, actor: User, payload: Mapping[str, Any], uploads: Sequence[Upload], now: dt.datetime
) -> Complaint:
    """A complaint taken by staff (phone, walk-in…) with its evidence; nothing is stored on any error."""
    file_errors: list[FieldError] = []
    try:
        check_uploads(uploads, field="evidence")
    except ValidationFailed as exc:
        file_errors = list(exc.errors)
    if file_errors:
        # Validate the rest too, so the form shows every problem at once.
        try:
            parse_intake(payload, now=now)
        except ValidationFailed as exc:
            raise ValidationFailed([*exc.errors, *file_errors]) from None
        raise ValidationFailed(file_errors)
    return register_with_files(
        register=lambda: complaint_register(actor=actor, payload=payload, now=now),
        actor=actor,
        uploads=uploads,
        now=now,
    )
