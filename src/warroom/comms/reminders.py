"""Reminders to the communications role (plan §4.3.3): when the plan's update cadence for an
incident's level is due, customer service is told to post the next update.

The incident's `next_update_due` is the timer (set by the assessment and by each user update);
an UpdateReminder row per (incident, due time) is the memory that the reminder went out, so the
minute-by-minute sweep reminds once per due time however often it runs, and a new update (a
new due time) arms the next reminder.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from warroom.comms import messages
from warroom.comms.models import PublicUpdate, UpdateReminder, UpdateStatus
from warroom.comms.rights import COMMS_DEPARTMENT, comms_role_codes
from warroom.incidents.models import Incident, Participant, Status
from warroom.incidents.roles import can_see
from warroom.notify.services import queue_deliveries
from warroom.people.models import TeamMembership
from warroom.plan.queries import plan_of

log = logging.getLogger(__name__)

# Assessed and not yet resolved: the level (and so the cadence) is known.
ASSESSED_OPEN = (Status.ASSESSED, Status.RESPONDING, Status.RECOVERING)
BATCH = 200


def due_incidents() -> list[Incident]:
    """Open, assessed, real incidents whose next user update is overdue and not yet reminded
    of — leaving out those customer service already told the users are resolved."""
    now = timezone.now()
    reminded = UpdateReminder.objects.filter(
        incident=OuterRef("pk"), due_at=OuterRef("next_update_due")
    )
    latest_status = (
        PublicUpdate.objects.filter(incident=OuterRef("pk"))
        .order_by("-posted_at", "-id")
        .values("status")[:1]
    )
    return list(
        Incident.objects.filter(status__in=ASSESSED_OPEN, is_drill=False, next_update_due__lte=now)
        .exclude(Exists(reminded))
        .annotate(latest_public=latest_status)
        # Spelled out: a plain exclude() would also drop the incidents without any update
        # (NULL), as SQL's NOT (NULL = 'resolved') is not true.
        .filter(Q(latest_public__isnull=True) | ~Q(latest_public=UpdateStatus.RESOLVED))
        .select_related("plan_version")
        .order_by("next_update_due", "pk")[:BATCH]
    )


def recipients(incident: Incident) -> list[User]:
    """The holders of the plan's customer-service roles and the incident's participants in
    such a role — those of them who may see the incident (a restricted one is named in the
    message)."""
    people: dict[int, User] = {}
    for membership in TeamMembership.objects.filter(
        role__department__code=COMMS_DEPARTMENT, role__in_plan=True
    ).select_related("person"):
        people[membership.person.pk] = membership.person
    for participant in Participant.objects.filter(
        Q(role__in=comms_role_codes()), incident=incident
    ).select_related("user"):
        people[participant.user.pk] = participant.user
    return [u for u in people.values() if u.is_active and can_see(u, incident)]


def send_due_reminders() -> int:
    """Remind customer service of every overdue user update once; returns how many
    incidents were reminded of. Safe to run concurrently and repeatedly: the unique
    (incident, due time) row is written in the same transaction as the delivery rows, and
    a second writer of it rolls back its own."""
    sent = 0
    for incident in due_incidents():
        due_at = incident.next_update_due
        assert due_at is not None  # filtered above
        level = plan_of(incident.plan_version).level(incident.level)
        every = level.targets.user_update_every if level else ""
        try:
            with transaction.atomic():
                UpdateReminder.objects.create(incident=incident, due_at=due_at)
                queue_deliveries(
                    recipients(incident),
                    messages.update_due(incident, every),
                    incident_id=incident.pk,
                )
        except IntegrityError:
            continue  # another sweep reminded of this due time first
        sent += 1
    if sent:
        log.info("comms: reminded customer service of %d due user updates", sent)
    return sent
