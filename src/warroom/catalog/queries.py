"""Reads of the catalog."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from warroom.catalog.models import Dependency, Risk, System
from warroom.lib.graph import reachable


def systems() -> QuerySet[System]:
    return System.objects.select_related("owner_department").prefetch_related("depends_on")


def risks() -> QuerySet[Risk]:
    return Risk.objects.select_related("system", "owner")


def overdue_risks(today: dt.date | None = None) -> QuerySet[Risk]:
    """Risks whose review date has passed, the longest overdue first."""
    today = today or timezone.localdate()
    return risks().filter(next_review__lt=today).order_by("next_review")


def dependents_of(system_ids: Iterable[int]) -> set[int]:
    """Systems that depend, directly or through others, on any of `system_ids`: also at risk."""
    reverse: dict[int, set[int]] = defaultdict(set)
    for src, dst in Dependency.objects.values_list("system_id", "depends_on_id"):
        reverse[dst].add(src)
    ids = set(system_ids)
    return reachable(reverse, ids) - ids


def at_risk_if_fails(system: System) -> tuple[list[System], list[System]]:
    """The systems that stop working if `system` fails: (those depending on it directly,
    those depending on it only through other systems), each sorted by name."""
    ids = dependents_of([system.pk])
    found = list(System.objects.filter(pk__in=ids).order_by("name"))
    direct = set(Dependency.objects.filter(depends_on=system).values_list("system_id", flat=True))
    return [s for s in found if s.pk in direct], [s for s in found if s.pk not in direct]
