"""Saving a configuration row the way every configuration change is saved: the model's own
checks turned into field errors, the row written and an audit record of what changed (before
and after) in the same transaction. Callers check permissions and their own rules first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction

from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=models.Model)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(getattr(value, "code", None) or value.pk)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def model_errors(error: DjangoValidationError) -> list[FieldError]:
    if not hasattr(error, "error_dict"):
        return [FieldError(None, str(message), "invalid") for message in error.messages]
    return [
        FieldError(None if field == "__all__" else field, str(message), "invalid")
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def save_audited(
    *,
    actor: Any,
    instance: M,
    fields: Sequence[str],
    object_type: str,
    object_id: Callable[[M], str],
    now: dt.datetime,
    errors: Sequence[FieldError] = (),
    exclude_clean: Sequence[str] = (),
) -> M:
    """Check `instance` (the caller's `errors` plus the model's), then save it and write the
    audit record `<object_type>.create` or `.update` with the changed fields, all or nothing."""
    found = list(errors)
    try:
        instance.full_clean(exclude=list(exclude_clean))
    except DjangoValidationError as error:
        found += model_errors(error)
    if found:
        raise ValidationFailed(found)
    with transaction.atomic():
        model = type(instance)
        creating = instance.pk is None
        before = None if creating else snapshot(model._default_manager.select_for_update().get(pk=instance.pk), fields)
        instance.save()
        after = snapshot(instance, fields)
        changed = sorted(after) if before is None else sorted(k for k in after if after[k] != before[k])
        audit_record(
            actor=actor,
            action=f"{object_type}.{'create' if creating else 'update'}",
            object_type=object_type,
            object_id=object_id(instance),
            data={"before": before, "after": after, "changed": changed},
            at=now,
        )
    return instance
