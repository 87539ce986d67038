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
from kesu.complaints.services.evidence import attachment_add, validate_upload
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
        errors.append(FieldError(field, _("Send at most %(count)d files.") % {"count": MAX_FILES_AT_INTAKE},
                                 "too_many"))
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


def register_with_files(*, register: Callable[[], Complaint], actor: User | None, uploads: Sequence[Upload],
                        now: dt.datetime) -> Complaint:
    with transaction.atomic():
        complaint = register()
        for upload in uploads:
            attachment_add(actor=actor, complaint=complaint, upload=upload.file, name=upload.name,
                           size=upload.size, description="", now=now)
    return complaint


def staff_register(*, actor: User, payload: Mapping[str, Any], uploads: Sequence[Upload],
                   now: dt.datetime) -> Complaint:
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
        actor=actor, uploads=uploads, now=now,
    )
