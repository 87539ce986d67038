"""Sign-in forms of the workspace and of /admin/, throttled by kesu.accounts.throttle."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse

from kesu.accounts import throttle
from kesu.core.ratelimit import client_ip

THROTTLED_ATTRIBUTE = "kesu_signin_wait"


class ThrottledMixin:
    """Refuses a locked account (or a locked address for an account not known there) before the
    password is checked; counts failures only."""

    request: HttpRequest | None
    data: Any

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", "") or "")
        address = client_ip(self.request) if self.request is not None else "unknown"
        wait = throttle.refused_for(username=username, address=address)
        if wait is not None:
            if self.request is not None:
                setattr(self.request, THROTTLED_ATTRIBUTE, wait)
            raise forms.ValidationError(throttle.retry_message(wait), code="throttled")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            throttle.record_failure(username=username, address=address)
            raise
        throttle.record_success(username=username, address=address)
        return cleaned


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    pass


def answer_429_when_throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The sign-in page as the view renders it, with status 429 and Retry-After when refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        wait = getattr(request, THROTTLED_ATTRIBUTE, None)
        if wait is not None:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    return wrapped
