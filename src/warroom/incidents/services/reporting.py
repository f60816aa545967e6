"""§4.1 Report: anyone signed in reports; the emergency team is told at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.catalog.models import System
from warroom.incidents.models import Incident, IncidentSystem, Status
from warroom.incidents.services.common import (
    add_participants,
    after_seconds,
)
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import AFTER, ON_REPORT
from warroom.lib.errors import DomainError
from warroom.plan.queries import current_version, plan_of


def report_incident(
    *,
    reporter: User | None,
    title: str,
    description: str = "",
    noticed_at: dt.datetime | None = None,
    systems: Sequence[System] = (),
    category: str = "",
    level: str = "",
    contact: str = "",
    source: str = "web",
    restricted: bool = False,
    drill: bool = False,
    escalation_policy: int | None = None,
) -> Incident:
    """Open an incident in `reported` and page the emergency team — through the escalation
    policy with the id `escalation_policy` (a monitoring routing rule's), else the default.

    Until it is assessed an incident is held to the most severe level's acknowledge and assess
    targets: nobody knows yet that it is not serious — unless the report brings a provisional
    `level` (a monitoring routing rule), whose targets apply then. Raises DomainError for bad
    input.
    """
    title = title.strip()
    if not title:
        raise DomainError("title", _("required"))
    if len(title) > 200:
        raise DomainError("title", _("at most 200 characters"))
    version = current_version(large=False)
    plan = plan_of(version)
    if category and plan.category(category) is None:
        raise DomainError("category", _("unknown risk category %(code)r") % {"code": category})
    if noticed_at is not None and noticed_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("noticed_at", _("cannot be in the future"))
    if level and plan.level(level) is None:
        raise DomainError("level", _("unknown impact level %(code)r") % {"code": level})
    chosen = plan.category(category) if category else None
    provisional = plan.level(level) if level else None
    severe = (provisional or min(plan.impact_levels, key=lambda lvl: lvl.rank)).targets.seconds()
    # No savepoint when called inside a transaction (the inbox routing alerts): a failure
    # here fails the caller's whole change anyway.
    with transaction.atomic(savepoint=False):
        incident = Incident.objects.create(
            title=title,
            description=description,
            noticed_at=noticed_at,
            reporter=reporter,
            reporter_contact=contact,
            source=source,
            plan_version=version,
            category=category,
            level=level,
            marked_restricted=restricted,
            restricted=restricted or bool(chosen and chosen.restricted),
            is_drill=drill,
        )
        incident.due_acknowledge = after_seconds(incident.reported_at, severe["acknowledge"])
        incident.due_assess = after_seconds(incident.reported_at, severe["assess"])
        incident.save(update_fields=["due_acknowledge", "due_assess"])
        # A new incident has no systems yet: insert the links without reading them first.
        IncidentSystem.objects.bulk_create(
            [
                IncidentSystem(incident=incident, system=s)
                for s in {s.pk: s for s in systems}.values()
            ]
        )
        # The row was created in this transaction: it is ours, and so is its timeline head.
        append_event(
            incident,
            "reported",
            actor=reporter,
            data={
                "title": title,
                "systems": [s.name for s in systems],
                "category": category,
                "level": level,
                "source": source,
            },
            locked=True,
        )
        if reporter is not None:
            add_participants(incident, [(reporter, "reporter")], actor=reporter)
        # Paging (the paging app) starts here, in this transaction: the pages are rows
        # written with the report.
        for effect in AFTER.get(Status.REPORTED, []):
            effect(incident, reporter)
        for report_effect in ON_REPORT:
            report_effect(incident, reporter, escalation_policy=escalation_policy)
    return incident
