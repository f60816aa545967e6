"""§4.4 Logistics: resources from the inventory, outside help."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.incidents.models import Incident, OutsideHelp, ResourceAllocation, Status
from warroom.incidents.services.common import require, require_open
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import TEAM, after
from warroom.lib.errors import Conflict, DomainError
from warroom.resources.models import ExternalContact, Resource


def allocate_resource(incident: Incident, *, actor: User, resource: Resource) -> ResourceAllocation:
    """Take an available resource for the incident. A resource is never allocated twice: the
    row is locked here and a partial unique index backs it up."""
    require(actor, incident, TEAM, _("allocate resources"))
    require_open(incident)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.state != "available":
            raise Conflict(
                "resource",
                _("%(name)s is %(state)s, not available")
                % {"name": locked.name, "state": locked.get_state_display()},
            )
        try:
            with transaction.atomic():
                allocation = ResourceAllocation.objects.create(
                    incident=incident, resource=locked, allocated_by=actor
                )
        except IntegrityError as exc:
            raise Conflict(
                "resource", _("%(name)s is already allocated") % {"name": locked.name}
            ) from exc
        locked.state = "allocated"
        locked.save(update_fields=["state"])
        append_event(
            incident,
            "resource_allocated",
            actor=actor,
            data={"resource": locked.name, "kind": locked.kind},
        )
    return allocation


def release_resource(allocation: ResourceAllocation, *, actor: User | None) -> ResourceAllocation:
    if allocation.released_at is not None:
        return allocation
    if actor is not None:
        require(actor, allocation.incident, TEAM, _("release resources"))
    with transaction.atomic():
        allocation.released_at, allocation.released_by = timezone.now(), actor
        allocation.save(update_fields=["released_at", "released_by"])
        Resource.objects.filter(pk=allocation.resource_id, state="allocated").update(
            state="available"
        )
        append_event(
            allocation.incident,
            "resource_released",
            actor=actor,
            data={"resource": allocation.resource.name},
        )
    return allocation


@after(Status.CLOSED)
@after(Status.CANCELLED)
def release_all(incident: Incident, actor: User | None) -> None:
    """Resources go back to the inventory when the incident ends."""
    for allocation in incident.allocations.filter(released_at__isnull=True).select_related(
        "resource"
    ):
        release_resource(allocation, actor=None)


def request_outside_help(
    incident: Incident, *, actor: User, contact: ExternalContact, asked: str
) -> OutsideHelp:
    require(actor, incident, TEAM, _("call in outside help"))
    require_open(incident)
    if not asked.strip():
        raise DomainError("asked", _("say what was asked"))
    with transaction.atomic():
        request = OutsideHelp.objects.create(
            incident=incident, contact=contact, asked=asked.strip(), requested_by=actor
        )
        append_event(
            incident,
            "outside_help",
            actor=actor,
            data={"contact": contact.name, "kind": contact.kind, "asked": request.asked},
        )
    return request


def record_outside_outcome(request: OutsideHelp, *, actor: User, outcome: str) -> OutsideHelp:
    require(actor, request.incident, TEAM, _("record outside help"))
    if not outcome.strip():
        raise DomainError("outcome", _("required"))
    with transaction.atomic():
        request.outcome, request.outcome_at = outcome.strip(), timezone.now()
        request.save(update_fields=["outcome", "outcome_at"])
        append_event(
            request.incident,
            "outside_help_outcome",
            actor=actor,
            data={"contact": request.contact.name, "outcome": request.outcome},
        )
    return request
