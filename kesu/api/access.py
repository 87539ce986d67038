"""What every authenticated endpoint shares: the typed request, the caller, the complaint it reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kesu.accounts.models import User
from kesu.accounts.requests import AuthedRequest as AuthedRequest
from kesu.api.schemas import ErrorOut
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_for

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def complaint_of(request: AuthedRequest, number: str) -> Complaint:
    """The complaint `number` as the caller may read it, or NotFound."""
    return complaint_for(user=request.user, number=number)


def name(user: User | None) -> str | None:
    return user.username if user is not None else None


def money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None
