"""Authentication for the API: a signed-in browser session or a bearer token.

Tokens are shown once when created and stored only as a SHA-256 digest. A read-only token
may only read (GET/HEAD/OPTIONS); anything else is refused with 403.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from warroom.api.models import ApiToken

TOKEN_PREFIX = "wr_"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, *, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (row, raw token). The raw token is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], digest=hash_token(raw), read_only=read_only
    )
    return token, raw


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        if row.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("this API token is read-only")
        # Throttle the write: one update a minute is enough to tell which tokens are in use.
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
