"""Coded errors → HTTP, in one place. Every error body is {"errors": [{"field", "message", "code"}]}:
API.md's shape plus a machine-readable `code` (docs/errors.md): the domain's own code for refusals
from services, an `ErrorCode` for what the HTTP edge answers itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kesu.core.errors import DomainError, ErrorCode


def error_item(field: str | None, message: Any, code: str) -> dict[str, Any]:
    return {"field": field, "message": str(message), "code": str(code)}


def error_body(errors: Sequence[tuple[str | None, Any, str]]) -> dict[str, Any]:
    return {"errors": [error_item(f, m, c) for f, m, c in errors]}


def _field_of(loc: Any) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or None


def _code(error: dict[str, Any]) -> ErrorCode:
    kind = error.get("type", "")
    if kind == "missing":
        return ErrorCode.REQUIRED
    if kind.startswith(("int", "float", "decimal")):
        return ErrorCode.NUMBER
    if kind.startswith("bool"):
        return ErrorCode.BOOLEAN
    if kind == "date_range":
        return ErrorCode.DATE_RANGE
    if kind == "timezone_aware":
        return ErrorCode.NAIVE_DATETIME
    if kind.startswith(("datetime", "date")):
        return ErrorCode.INVALID_DATETIME
    if kind == "json_invalid":
        return ErrorCode.JSON_INVALID
    if kind in ("model_attributes_type", "dict_type", "model_type") or kind.startswith("string"):
        return ErrorCode.TYPE
    if kind in ("enum", "literal_error"):
        return ErrorCode.INVALID_CHOICE
    return ErrorCode.INVALID


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("int") or kind.startswith("float") or kind.startswith("decimal"):
        return _("Enter a number.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind == "date_range":
        return _("Enter a date between the years 1900 and 2999.")
    if kind == "timezone_aware":
        return _("Give the time zone offset, e.g. +08:00.")
    if kind.startswith("datetime") or kind.startswith("date"):
        return _("Enter a date and time in ISO 8601 form, e.g. 2026-11-02T09:30:00+08:00.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return _("Send a JSON object.")
    if kind.startswith("string"):
        return _("Enter text.")
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of the allowed values.")
    return _("Enter a valid value.")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, error_body([(e.field, e.message, e.code) for e in exc.errors]), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [(_field_of(e.get("loc", ())), _message(e), _code(e)) for e in exc.errors]
        return api.create_response(request, error_body(errors), status=422)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body([(None, _("Not found."), ErrorCode.NOT_FOUND)]), status=404)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("Sign in first: send a valid bearer token.")
        return api.create_response(request, error_body([(None, message, ErrorCode.UNAUTHENTICATED)]), status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message, code = str(exc), ErrorCode.ERROR
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            # Ninja's own parser (endpoints with a schema body) says this in English.
            message, code = _("The body is not valid JSON."), ErrorCode.JSON_INVALID
        return api.create_response(request, error_body([(None, message, code)]), status=exc.status_code)
