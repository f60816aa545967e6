"""Reads of incidents, always through what the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from warroom.incidents.models import Incident, Order, Task
from warroom.incidents.models.incident import OPEN_STATES
from warroom.incidents.models.response import TaskStatus
from warroom.incidents.roles import visible_filter

DEADLINES = (
    ("acknowledge", "due_acknowledge", "acknowledged_at"),
    ("assess", "due_assess", "assessed_at"),
    ("mitigate", "due_mitigate", "recovering_at"),
    ("resolve", "due_resolve", "resolved_at"),
)


def visible_incidents(user: User | AnonymousUser) -> QuerySet[Incident]:
    return Incident.objects.filter(visible_filter(user)).select_related("reporter", "plan_version")


def open_incidents(user: User | AnonymousUser) -> QuerySet[Incident]:
    return visible_incidents(user).filter(status__in=OPEN_STATES)


def search(user: User | AnonymousUser, text: str) -> QuerySet[Incident]:
    items = visible_incidents(user)
    if text.strip():
        items = items.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return items


@dataclass(frozen=True)
class Deadline:
    name: str
    due: dt.datetime | None
    reached: dt.datetime | None

    @property
    def missed(self) -> bool:
        if self.due is None:
            return False
        return (self.reached or timezone.now()) > self.due

    @property
    def pending(self) -> bool:
        return self.due is not None and self.reached is None

    @property
    def seconds_left(self) -> int | None:
        if not self.pending or self.due is None:
            return None
        return int((self.due - timezone.now()).total_seconds())


def deadlines(incident: Incident) -> list[Deadline]:
    items = [
        Deadline(name, getattr(incident, due), getattr(incident, done))
        for name, due, done in DEADLINES
    ]
    if incident.is_open and incident.next_update_due:
        items.append(Deadline("user_update", incident.next_update_due, None))
    return items


def next_deadline(incident: Incident) -> Deadline | None:
    pending = [d for d in deadlines(incident) if d.pending]
    return min(pending, key=lambda d: d.due) if pending else None  # type: ignore[arg-type,return-value]


def missed_deadlines(user: User | AnonymousUser) -> list[tuple[Incident, Deadline]]:
    return [
        (incident, d)
        for incident in open_incidents(user)
        for d in deadlines(incident)
        if d.pending and d.missed
    ]


def my_tasks(user: User) -> QuerySet[Task]:
    return (
        Task.objects.filter(assignee=user, incident__status__in=OPEN_STATES)
        .exclude(status__in=(TaskStatus.DONE, TaskStatus.SKIPPED))
        .select_related("incident")
        .filter(incident__in=visible_incidents(user))
    )


def my_orders(user: User) -> QuerySet[Order]:
    """Orders to me or to a role I take on the incident, not yet acknowledged — only on
    incidents I may still see (someone taken off a restricted incident loses its orders)."""
    return (
        Order.objects.filter(acknowledged_at__isnull=True, incident__status__in=OPEN_STATES)
        .filter(incident__in=visible_incidents(user).values("pk"))
        .filter(
            Q(to_person=user)
            | Q(
                to_person__isnull=True,
                incident__participants__user=user,
                to_role=F("incident__participants__role"),
            )
        )
        .select_related("incident")
        .distinct()
    )
