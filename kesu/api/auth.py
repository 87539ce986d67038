from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kesu.accounts.services import token_row
from kesu.core import clock
from kesu.core.reference import observe_version


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_row(token=token, now=clock.now())
        if row is None:
            return None
        observe_version(row.reference_version)  # type: ignore[attr-defined]  # annotated
        request.user = row.user
        request.kesu_token_id = row.pk  # type: ignore[attr-defined]  # "current" in GET /auth/tokens
        return row.user
