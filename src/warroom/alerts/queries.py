"""Reads of the alerts app."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from warroom.alerts import keys
from warroom.alerts.models import Alert, Integration, MaintenanceWindow, Silence
from warroom.incidents.models import Incident
from warroom.incidents.roles import visible_filter


def integration_for_key(raw: str, kind: str) -> Integration | None:
    """The enabled integration of `kind` with this key, else None — for an unknown key, a
    disabled integration and a key of another kind alike, so a caller cannot tell them apart."""
    if not raw or len(raw) > keys.MAX_KEY_LENGTH:
        return None
    # Unordered, at most one row: this runs for every inbound request.
    found = list(
        Integration.objects.select_related("default_system")
        .filter(key_digest=keys.digest(raw), enabled=True)
        .order_by()[:1]
    )
    if not found or found[0].kind != kind:
        return None
    return found[0]


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
