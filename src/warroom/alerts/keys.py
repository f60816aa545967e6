"""Integration keys: made here, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings

PREFIX_LENGTH = 6
# Longer input is no key of ours; refusing it early keeps hashing cheap.
MAX_KEY_LENGTH = 128


def new_key() -> str:
    """A new secret: 24 random bytes, URL-safe base64 — 32 characters, the length of a
    PagerDuty integration key, so senders that check the length accept it."""
    return secrets.token_urlsafe(24)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def webhook_url(kind: str, raw: str) -> str:
    """The exact URL a sender posts to. PagerDuty senders post to /v2/enqueue and carry the
    key in the body as `routing_key`."""
    if kind == "pagerduty":
        return f"{settings.BASE_URL}/v2/enqueue"
    return f"{settings.BASE_URL}/api/v1/integrations/{kind}/{raw}"
