"""Reads of delivery rows for the pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from warroom.notify.models import Delivery
from warroom.people.access import can_manage_plan


def visible_deliveries(
    user: AbstractBaseUser | AnonymousUser, *, see_all: bool | None = None
) -> QuerySet[Delivery]:
    """Deliveries `user` may look at, newest first: all of them for administrators and those
    who manage the plan (they check that pages get through), else the user's own.
    `see_all` is can_manage_plan(user), for a caller that has it already."""
    rows = Delivery.objects.select_related("recipient")
    if can_manage_plan(user) if see_all is None else see_all:
        return rows
    return rows.filter(recipient_id=user.pk)
