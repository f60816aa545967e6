"""Reads of the alerts app."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from warroom.alerts import keys
from warroom.alerts.models import Alert, Integration, MaintenanceWindow, RoutingRule, Silence
from warroom.incidents.models import Incident
from warroom.incidents.roles import visible_filter

# Integrations by key, with when they were read. Every inbound request looks its key up, so
# each web process keeps what it read for KEY_CACHE_SECONDS; saving or deleting an
# integration empties this process's copy at once (apps.ready), and the other processes
# follow within that second. Held by the key as sent, so a hit costs no hashing (SHA-256
# through OpenSSL costs more than the rest of the lookup): the raw keys of recent requests
# stay in this process's memory (until 1,000 are held or an integration changes here) —
# they pass through it anyway; the database holds only digests.
KEY_CACHE_SECONDS = 1.0
KEY_CACHE_SIZE = 1000  # wrong keys are remembered too; a flood of them must not grow it
_by_key: dict[str, tuple[float, Integration | None]] = {}


def integration_for_key(raw: str, kind: str) -> Integration | None:
    """The enabled integration of `kind` with this key, else None — for an unknown key, a
    disabled integration and a key of another kind alike, so a caller cannot tell them apart.
    The returned object is shared between requests: read it, never change it."""
    if not raw or len(raw) > keys.MAX_KEY_LENGTH:
        return None
    now = time.monotonic()
    hit = _by_key.get(raw)
    if hit is None or now - hit[0] > KEY_CACHE_SECONDS:
        # Unordered, at most one row.
        found = list(
            Integration.objects.select_related("default_system")
            .filter(key_digest=keys.digest(raw), enabled=True)
            .order_by()[:1]
        )
        if len(_by_key) >= KEY_CACHE_SIZE:
            _by_key.clear()
        hit = _by_key[raw] = (now, found[0] if found else None)
    integration = hit[1]
    if integration is None or integration.kind != kind:
        return None
    return integration


def forget_integrations(**kwargs: object) -> None:
    """Drop the cached keys (connected to Integration's post_save and post_delete)."""
    _by_key.clear()


@dataclass(frozen=True)
class RoutingSetup:
    """What routing reads for every batch: the routing rules in order, and the silences and
    maintenance windows (with their systems' ids) that had not ended a day before it was
    read — `suppressors(at)` picks those in force at a moment."""

    rules: list[RoutingRule]
    silences: list[Silence]
    windows: list[tuple[MaintenanceWindow, frozenset[int]]]

    def suppressors(
        self, at: dt.datetime
    ) -> tuple[list[Silence], list[tuple[MaintenanceWindow, frozenset[int]]]]:
        return (
            [s for s in self.silences if s.starts_at <= at < s.ends_at],
            [(w, ids) for w, ids in self.windows if w.starts_at <= at < w.ends_at],
        )


# Cached like the keys: routing a lone alert otherwise spends a tenth of its time reading
# these three tables. A change made in this process applies at once (configure.py and the
# models' signals forget the copy), the other processes follow within the second. Windows
# and silences are kept from a day back because a backlog is routed at its arrival times.
ROUTING_CACHE_SECONDS = 1.0
_routing: tuple[float, RoutingSetup] | None = None


def routing_setup() -> RoutingSetup:
    global _routing
    now = time.monotonic()
    if _routing is not None and now - _routing[0] <= ROUTING_CACHE_SECONDS:
        return _routing[1]
    since = timezone.now() - dt.timedelta(days=1)
    setup = RoutingSetup(
        rules=list(RoutingRule.objects.select_related("system").order_by("position", "id")),
        # In the models' own order (latest start first): the first that matches is named.
        silences=list(Silence.objects.filter(ends_at__gt=since)),
        windows=[
            (w, frozenset(s.pk for s in w.systems.all()))
            for w in MaintenanceWindow.objects.filter(ends_at__gt=since).prefetch_related("systems")
        ],
    )
    _routing = (now, setup)
    return setup


def forget_routing() -> None:
    """Read rules, silences and windows again next time."""
    global _routing
    _routing = None


def routing_changed(**kwargs: object) -> None:
    """A rule, silence or window changed (connected to their signals; called by configure
    after bulk changes): forget now, and again once the change is committed, in case a
    routing batch read the old rows meanwhile."""
    forget_routing()
    transaction.on_commit(forget_routing)


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
