"""Sign-in for the API: bearer tokens stored as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate

from kesu.accounts.models import ApiToken, User


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, username: str, password: str, now: dt.datetime) -> str | None:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=hash_token(token), created_at=now,
        expires_at=now + dt.timedelta(hours=settings.KESU_TOKEN_TTL_HOURS),
    )
    return token


def token_user(*, token: str, now: dt.datetime) -> User | None:
    row = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(key_hash=hash_token(token), expires_at__gt=now, user__is_active=True)
        .first()
    )
    return row.user if row else None
