"""Sign-in for the API: bearer tokens stored as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate

from kesu.accounts.models import ApiToken, User
from kesu.core.reference import version_annotation


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, username: str, password: str, now: dt.datetime) -> str | None:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.KESU_TOKEN_TTL_HOURS),
    )
    return token


def token_row(*, token: str, now: dt.datetime) -> ApiToken | None:
    """The live token row (with its user) for a bearer token, or None. The row carries the reference
    data version (`reference_version`, kesu/core/reference.py) read in the same query, so a request's
    reference scope costs no query of its own."""
    return (
        ApiToken.objects.select_related("user", "user__department")
        .annotate(reference_version=version_annotation())
        .filter(key_hash=hash_token(token), expires_at__gt=now, user__is_active=True)
        .first()
    )


def token_user(*, token: str, now: dt.datetime) -> User | None:
    row = token_row(token=token, now=now)
    return row.user if row else None


def tokens_of(*, user: User, now: dt.datetime) -> list[ApiToken]:
    """The user's live tokens, newest first (expired ones are not shown)."""
    return list(ApiToken.objects.filter(user=user, expires_at__gt=now).order_by("-created_at", "-id"))


def token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when the user has no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0
