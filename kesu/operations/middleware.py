"""A request id for every request (accepted from X-Request-ID when well-formed, else new),
returned as X-Request-ID and carried by every log line of the request; one structured log line
and the request metrics per request. The path and query string are never logged (a tracking
query carries the customer's phone): only the route pattern."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kesu.operations.logging import request_id_var
from kesu.operations.metrics import observe_request

logger = logging.getLogger("kesu.request")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "unmatched"
    return "/" + str(match.route).lstrip("^")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            route = _route(request)
            observe_request(method=request.method or "", route=route, status=status, seconds=seconds)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id_var.reset(token)
