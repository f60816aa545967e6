"""Reads of the report follow-up: the action items a person may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from warroom.incidents.models import ActionItem
from warroom.incidents.models.review import ActionStatus
from warroom.incidents.queries import visible_incidents


def open_action_items(user: User | AnonymousUser) -> QuerySet[ActionItem]:
    """Open action items of the incidents `user` may see, soonest due first (no date last)."""
    return (
        ActionItem.objects.filter(status=ActionStatus.OPEN, incident__in=visible_incidents(user))
        .select_related("incident", "owner", "plan_change")
        .order_by("due_date", "id")
    )


def overdue_action_items(
    user: User | AnonymousUser, today: dt.date | None = None
) -> QuerySet[ActionItem]:
    """Open action items whose due date has passed (due before `today`, local date)."""
    return open_action_items(user).filter(due_date__lt=today or timezone.localdate())
