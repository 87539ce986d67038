"""Canned responses (话术模板, SPEC SV-3, OP-4): standard phrases managers keep and staff insert into
notes, solutions and callback comments. Writes are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import MANAGERS
from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.models import CannedPurpose, CannedResponse

TITLE_MAX = 80
BODY_MAX = 2000


def can_manage_canned(user: Any) -> bool:
    return getattr(user, "role", None) in MANAGERS


def _values(values: Mapping[str, Any]) -> dict[str, str]:
    title = str(values.get("title", "")).strip()
    body = str(values.get("body", "")).strip()
    purpose = str(values.get("purpose", ""))
    language = str(values.get("language", ""))
    errors: list[FieldError] = []
    if not title:
        errors.append(FieldError("title", _("Give the response a title."), "required"))
    elif len(title) > TITLE_MAX:
        errors.append(
            FieldError(
                "title",
                _("Enter at most %(max)d characters (it has %(length)d).") % {"max": TITLE_MAX, "length": len(title)},
                "too_long",
            )
        )
    if not body:
        errors.append(FieldError("body", _("Write the text to insert."), "required"))
    elif len(body) > BODY_MAX:
        errors.append(
            FieldError(
                "body",
                _("Enter at most %(max)d characters (it has %(length)d).") % {"max": BODY_MAX, "length": len(body)},
                "too_long",
            )
        )
    if purpose not in CannedPurpose.values:
        errors.append(FieldError("purpose", _("Choose where the response is used."), "invalid_choice"))
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors.append(FieldError("language", _("Choose a language."), "invalid_choice"))
    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "body": body, "purpose": purpose, "language": language}


def canned_response_save(
    *, actor: User, values: Mapping[str, Any], now: dt.datetime, response_id: int | None = None
) -> CannedResponse:
    """Create a canned response, or change the one with `response_id`."""
    if not can_manage_canned(actor):
        raise PermissionDenied(_("Only managers may change canned responses."))
    clean = _values(values)
    # OP-4: agents insert these into texts the customer reads; a forbidden phrase is refused here,
    # not only later in every note it would end up in.
    from kesu.desk.phrases import check_outgoing

    check_outgoing({"body": clean["body"]})
    with transaction.atomic():
        if response_id is None:
            response = CannedResponse.objects.create(**clean, updated_at=now, updated_by=actor)
            action = "canned_response.created"
            before: dict[str, Any] = {}
        else:
            found = CannedResponse.objects.select_for_update().filter(pk=response_id).first()
            if found is None:
                raise NotFound(_("No canned response has this number."))
            response = found
            before = {k: getattr(response, k) for k in clean}
            for key, value in clean.items():
                setattr(response, key, value)
            response.updated_at, response.updated_by = now, actor
            response.save(update_fields=[*clean, "updated_at", "updated_by"])
            action = "canned_response.updated"
        audit_record(
            actor=actor,
            action=action,
            object_type="canned_response",
            object_id=str(response.pk),
            data={"before": before, "after": clean},
            at=now,
        )
    return response


def canned_response_set_active(*, actor: User, response_id: int, active: bool, now: dt.datetime) -> CannedResponse:
    """Deactivate (or bring back) a canned response; it is kept for the record."""
    if not can_manage_canned(actor):
        raise PermissionDenied(_("Only managers may change canned responses."))
    with transaction.atomic():
        response = CannedResponse.objects.select_for_update().filter(pk=response_id).first()
        if response is None:
            raise NotFound(_("No canned response has this number."))
        if response.active != active:
            response.active, response.updated_at, response.updated_by = active, now, actor
            response.save(update_fields=["active", "updated_at", "updated_by"])
            audit_record(
                actor=actor,
                action="canned_response.activated" if active else "canned_response.deactivated",
                object_type="canned_response",
                object_id=str(response.pk),
                data={"title": response.title},
                at=now,
            )
    return response


def canned_responses(
    *, purpose: str | None = None, language: str | None = None, include_inactive: bool = False
) -> QuerySet[CannedResponse]:
    """Canned responses, those in `language` first."""
    rows = CannedResponse.objects.all()
    if not include_inactive:
        rows = rows.filter(active=True)
    if purpose:
        rows = rows.filter(purpose=purpose)
    if language:
        first = Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
        rows = rows.annotate(language_rank=first).order_by("language_rank", "purpose", "title", "id")
    return rows
