"""Reads of the alerts app."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from warroom.alerts import keys
from warroom.alerts.models import Alert, Integration, MaintenanceWindow, Silence
from warroom.incidents.models import Incident
from warroom.incidents.roles import visible_filter

# Integrations by key digest, with when they were read. Every inbound request looks its key
# up, so each web process keeps what it read for KEY_CACHE_SECONDS; saving or deleting an
# integration empties this process's copy at once (apps.ready), and the other processes
# follow within that second.
KEY_CACHE_SECONDS = 1.0
KEY_CACHE_SIZE = 1000  # wrong keys are remembered too; a flood of them must not grow it
_by_digest: dict[str, tuple[float, Integration | None]] = {}


def integration_for_key(raw: str, kind: str) -> Integration | None:
    """The enabled integration of `kind` with this key, else None — for an unknown key, a
    disabled integration and a key of another kind alike, so a caller cannot tell them apart.
    The returned object is shared between requests: read it, never change it."""
    if not raw or len(raw) > keys.MAX_KEY_LENGTH:
        return None
    digest = keys.digest(raw)
    now = time.monotonic()
    hit = _by_digest.get(digest)
    if hit is None or now - hit[0] > KEY_CACHE_SECONDS:
        # Unordered, at most one row.
        found = list(
            Integration.objects.select_related("default_system")
            .filter(key_digest=digest, enabled=True)
            .order_by()[:1]
        )
        if len(_by_digest) >= KEY_CACHE_SIZE:
            _by_digest.clear()
        hit = _by_digest[digest] = (now, found[0] if found else None)
    integration = hit[1]
    if integration is None or integration.kind != kind:
        return None
    return integration


def forget_integrations(**kwargs: object) -> None:
    """Drop the cached keys (connected to Integration's post_save and post_delete)."""
    _by_digest.clear()


def visible_alerts(user: User | AnonymousUser) -> QuerySet[Alert]:
    """Alerts `user` may see: those that opened or joined no incident, and those of the
    incidents the user may see (a restricted incident's alerts are as restricted as it is)."""
    seen = Incident.objects.filter(visible_filter(user)).values("pk")
    return (
        Alert.objects.filter(Q(incident__isnull=True) | Q(incident__in=seen))
        .select_related("integration", "incident", "system")
        .order_by("-last_seen", "-id")
    )


def active_silences() -> QuerySet[Silence]:
    return Silence.objects.filter(ends_at__gt=timezone.now()).select_related("created_by")


def active_maintenance() -> QuerySet[MaintenanceWindow]:
    return (
        MaintenanceWindow.objects.filter(ends_at__gt=timezone.now())
        .select_related("created_by")
        .prefetch_related("systems")
    )
