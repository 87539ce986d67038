"""Refuse oversized request bodies with 413 before anything reads them; keep the API's error
shape for the 404s and 405s that Django and Ninja answer in HTML."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if content_type.startswith("multipart/")
            else settings.KESU_MAX_JSON_BODY
        )
        if length > limit:
            # Refused before LocaleMiddleware runs, so negotiate the language here, for this response only.
            with translation.override(translation.get_language_from_request(request)):
                return JsonResponse(
                    {"errors": [{"field": None, "message": _("The request body is too large.")}]},
                    status=413,
                )
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """API.md: every 4xx under /api/ is {"errors": [{"field", "message"}]}. An unknown path (Django's
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
            shaped = JsonResponse({"errors": [{"field": None, "message": message}]}, status=response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
