"""Request guards and response headers: oversized bodies (413), unstorable text, the API's error
shape for the 404s and 405s that Django and Ninja answer in HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from kesu.core.errors import ErrorCode

# The views whose forms carry evidence files (KESU_MAX_UPLOAD_BYTES each).
UPLOAD_VIEWS = frozenset({"api-v1:upload_attachment", "web:intake", "web:evidence_upload", "portal:new"})


def takes_uploads(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).view_name in UPLOAD_VIEWS
    except Resolver404:
        return False


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        # Only the evidence uploads take large multipart bodies; any other form is held to the JSON limit.
        limit = (
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if content_type.startswith("multipart/") and takes_uploads(request)
            else settings.KESU_MAX_JSON_BODY
        )
        if length > limit:
            # Refused before LocaleMiddleware runs, so negotiate the language here, for this response only.
            with translation.override(translation.get_language_from_request(request)):
                return JsonResponse(
                    {
                        "errors": [
                            {
                                "field": None,
                                "message": _("The request body is too large."),
                                "code": ErrorCode.BODY_TOO_LARGE,
                            }
                        ]
                    },
                    status=413,
                )
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """API.md: every 4xx under /api/ is {"errors": [{"field", "message", "code"}]}. An unknown path (Django's
    404 page) and a wrong method (Ninja's 405) are answered in HTML before the API's handlers run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (404, 405)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = _("Not found.") if response.status_code == 404 else _("Method not allowed.")
            code = ErrorCode.NOT_FOUND if response.status_code == 404 else ErrorCode.METHOD_NOT_ALLOWED
            shaped = JsonResponse(
                {"errors": [{"field": None, "message": message, "code": code}]}, status=response.status_code
            )
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


# NUL cannot be stored in PostgreSQL text, and an unpaired surrogate cannot be encoded at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text (key or value) in a JSON value holding NUL or an unpaired
    surrogate ("" for the top level), or None when all text can be stored."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if UNSTORABLE.search(str(key)):
                return path
            found = unstorable_field(item, name)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_field(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class InputGuardMiddleware:
    """Refuses text no database can store (NUL, unpaired surrogates) in the path, the query string
    and API bodies before any view sees it: under /api/ a 404 or a 422 naming the field in the error
    shape; elsewhere Django's 404 or 400 page (HTML forms refuse NUL themselves, as a form error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        if UNSTORABLE.search(request.path):
            if is_api:
                return JsonResponse(
                    {"errors": [{"field": None, "message": _("Not found."), "code": ErrorCode.NOT_FOUND}]}, status=404
                )
            raise Http404
        field = self._query_field(request)
        if field is None and is_api:
            try:
                field = self._body_field(request)
            except MultiPartParserError:
                return JsonResponse(
                    {
                        "errors": [
                            {
                                "field": None,
                                "code": ErrorCode.BODY_UNREADABLE,
                                "message": _("The request body could not be read."),
                            }
                        ]
                    },
                    status=400,
                )
        if field is not None:
            if not is_api:
                raise BadRequest("unstorable characters in the query string")
            return JsonResponse(
                {
                    "errors": [
                        {
                            "field": field or None,
                            "code": ErrorCode.UNSTORABLE_TEXT,
                            "message": _("Remove the characters that cannot be stored (NUL or an unpaired surrogate)."),
                        }
                    ]
                },
                status=422,
            )
        return self.get_response(request)

    @staticmethod
    def _query_field(request: HttpRequest) -> str | None:
        for key, values in request.GET.lists():
            if UNSTORABLE.search(key) or any(UNSTORABLE.search(v) for v in values):
                return key
        return None

    @staticmethod
    def _body_field(request: HttpRequest) -> str | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return None  # the handlers answer unparseable bodies
            return unstorable_field(data)
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            for key, values in request.POST.lists():
                if UNSTORABLE.search(key) or any(UNSTORABLE.search(v) for v in values):
                    return key
        return None


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on HTML pages (the pages load only static
    scripts and styles: no inline script, no style attribute); `Cache-Control: no-store` on every
    page and API answer (they carry personal data) unless the view chose its own caching. Static
    files are answered by WhiteNoise before this runs and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
