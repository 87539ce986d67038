from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kesu.accounts.services import token_user
from kesu.core import clock


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token=token, now=clock.now())
        if user is not None:
            request.user = user
        return user
