"""What every authenticated endpoint shares: the typed request, the caller, the complaint it reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from kesu.accounts.models import User
from kesu.api.schemas import ErrorOut
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_for

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AuthedRequest(HttpRequest):
    """A request that passed authentication (the API's token or session auth, the workspace's login):
    for annotations only, so `request.user` is a `User` without an ignore."""

    user: User


def complaint_of(request: AuthedRequest, number: str) -> Complaint:
    """The complaint `number` as the caller may read it, or NotFound."""
    return complaint_for(user=request.user, number=number)


def name(user: User | None) -> str | None:
    return user.username if user is not None else None


def money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None
