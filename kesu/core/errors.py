"""Coded domain errors. Services raise them; the HTTP edges translate them once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise


@dataclass
class FieldError:
    field: str | None
    message: str | Promise
    code: str = "invalid"


class DomainError(Exception):
    """Base class. `status` is the HTTP status the edges map it to."""

    def __init__(
        self,
        message: str | Promise,
        code: str = "error",
        field: str | None = None,
        status: int = 400,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.status = status
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(self.field, self.message, self.code)]


class ValidationFailed(DomainError):
    """Bad input: one or more fields are wrong. Nothing was stored."""

    def __init__(self, errors: list[FieldError]):
        first = errors[0] if errors else FieldError(None, "invalid")
        super().__init__(message=first.message, code="validation", field=first.field, status=422)
        self._errors = errors

    @property
    def errors(self) -> list[FieldError]:
        return self._errors


class NotFound(DomainError):
    def __init__(self, message: str | Promise, field: str | None = None):
        super().__init__(message=message, code="not_found", field=field, status=404)


class PermissionDenied(DomainError):
    def __init__(self, message: str | Promise, code: str = "forbidden"):
        super().__init__(message=message, code=code, status=403)


class Conflict(DomainError):
    """The action is not allowed in the current state, or a guard refused it."""

    def __init__(self, message: str | Promise, code: str = "conflict", field: str | None = None):
        super().__init__(message=message, code=code, field=field, status=409)


class ErrorCode(StrEnum):
    """Codes the HTTP edge gives (services raise DomainErrors with codes of their own)."""

    UNAUTHENTICATED = "unauthenticated"
    WRONG_CREDENTIALS = "wrong_credentials"
    THROTTLED = "throttled"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BODY_TOO_LARGE = "body_too_large"
    BODY_UNREADABLE = "body_unreadable"
    JSON_INVALID = "json_invalid"
    UNSTORABLE_TEXT = "unstorable_text"
    REQUIRED = "required"
    TYPE = "type"
    NUMBER = "number"
    BOOLEAN = "boolean"
    INVALID_DATETIME = "invalid_datetime"
    NAIVE_DATETIME = "naive_datetime"
    DATE_RANGE = "date_range"
    INVALID_CHOICE = "invalid_choice"
    INVALID = "invalid"
    ERROR = "error"
