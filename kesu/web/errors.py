"""Error pages (403, 404, 500) in the workspace's or the portal's layout and the reader's language.

Wired in config/urls.py as Django's handler403/handler404/handler500. Under /api/ the API's own
error shape applies (kesu.core.middleware.ApiErrorShapeMiddleware)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _template(request: HttpRequest) -> str:
    return "portal/error.html" if request.path.startswith("/portal/") else "web/error.html"


def _page(request: HttpRequest, *, status: int, title: str, explanation: str) -> HttpResponse:
    context = {"status": status, "title": title, "explanation": explanation}
    return render(request, _template(request), context, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Views raise PermissionDenied with a translated reason ("Your role may not register complaints.").
    reason = str(exception) if exception is not None and str(exception) else ""
    return _page(
        request,
        status=403,
        title=_("You may not open this page"),
        explanation=reason
        or _(
            "Your role does not include this page or action. If you need it, ask the "
            "customer-service manager or an administrator."
        ),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=404,
        title=_("This page does not exist"),
        explanation=_("The address may be mistyped, or the complaint is not one you may read."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return _page(
            request,
            status=500,
            title=_("Something went wrong on our side"),
            explanation=_(
                "The request could not be completed. Try again in a moment; if it happens "
                "again, tell an administrator when it happened."
            ),
        )
    except Exception:  # the layout itself failed: answer plainly rather than not at all
        logger.exception("the error page could not be rendered")
        return HttpResponseServerError("500", content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an expired form (the page sat open past a sign-out) says so and links back."""
    return _page(
        request,
        status=403,
        title=_("This form has expired"),
        explanation=_(
            "The page was open too long or you signed in again elsewhere. Go back, reload "
            "the page and send the form again."
        ),
    )
