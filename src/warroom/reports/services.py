"""Writes of the report follow-up: reminders of action items to their owners.

Each open action item with an owner gets one reminder when it is due within a day and one
when it is overdue, per due date: the date the reminder was sent for is stored on the item by
a conditional update, in the transaction that queues the message, so a repeated or
concurrent sweep sends nothing twice, and a moved due date is reminded of again.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.incidents.models import ActionItem
from warroom.incidents.models.review import ActionStatus
from warroom.notify.services import Message, queue_deliveries

log = logging.getLogger(__name__)

SOON = dt.timedelta(days=1)


def remind_action_items(today: dt.date | None = None) -> int:
    """Queue the reminders that are due on `today` (local date); returns how many items
    were reminded of."""
    today = today or timezone.localdate()
    waiting = ActionItem.objects.filter(status=ActionStatus.OPEN, owner__isnull=False)
    soon = waiting.filter(due_date__gte=today, due_date__lte=today + SOON).exclude(
        reminded_soon_for=F("due_date")
    )
    overdue = waiting.filter(due_date__lt=today).exclude(reminded_overdue_for=F("due_date"))
    count = _remind(soon, "reminded_soon_for", today) + _remind(
        overdue, "reminded_overdue_for", today
    )
    if count:
        log.info("action items: %d reminder(s) queued", count)
    return count


def _remind(items: QuerySet[ActionItem], stamp: str, today: dt.date) -> int:
    count = 0
    for item in items.select_related("owner", "incident"):
        with transaction.atomic():
            # Only one sweep claims an item's reminder for its due date.
            claimed = (
                ActionItem.objects.filter(
                    pk=item.pk, status=ActionStatus.OPEN, due_date=item.due_date
                )
                .exclude(**{stamp: F("due_date")})
                .update(**{stamp: F("due_date")})
            )
            if not claimed:
                continue
            assert item.owner is not None
            queue_deliveries(
                [item.owner],
                partial(_message, item, today),
                incident_id=item.incident_id,
                drill=item.incident.is_drill,
            )
        count += 1
    return count


def _message(item: ActionItem, today: dt.date, user: User, lang: str) -> Message:
    assert item.due_date is not None
    incident = item.incident
    # A restricted incident's title is for its participants; the reference says enough.
    where = incident.reference if incident.restricted else f"{incident.reference} {incident.title}"
    days = (item.due_date - today).days
    with translation.override(lang):
        if days < 0:
            subject = _("Action item overdue: %(title)s") % {"title": item.title}
            when = _("It was due on %(date)s.")
        elif days == 0:
            subject = _("Action item due today: %(title)s") % {"title": item.title}
            when = _("It is due today, %(date)s.")
        else:
            subject = _("Action item due tomorrow: %(title)s") % {"title": item.title}
            when = _("It is due tomorrow, %(date)s.")
        body = "\n".join(
            [
                _("You own the action item “%(title)s” from the review of %(incident)s.")
                % {"title": item.title, "incident": where},
                when % {"date": item.due_date.isoformat()},
                "",
                settings.BASE_URL + reverse("incidents:detail", args=[incident.pk]),
                _("All open action items: %(url)s")
                % {"url": settings.BASE_URL + reverse("reports:actions")},
            ]
        )
    kind = "action_item.overdue" if days < 0 else "action_item.due"
    return Message(subject=subject, body=body, kind=kind)
