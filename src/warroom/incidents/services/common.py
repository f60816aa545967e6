"""Helpers shared by the incident services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from warroom.incidents.models import Incident, Participant
from warroom.incidents.roles import actor_kinds
from warroom.lib.errors import DomainError
from warroom.notify.services import Render, queue_deliveries
from warroom.people.models import TeamMembership
from warroom.plan.queries import plan_of
from warroom.plan.schema import Plan


def plan_for(incident: Incident) -> Plan:
    """The plan version the incident opened under: it decides roles, tasks and targets."""
    return plan_of(incident.plan_version)


def require(actor: User | None, incident: Incident, kinds: Iterable[str], what: str) -> None:
    """Raise PermissionDenied unless `actor` (None = warroom itself) is one of `kinds`."""
    if actor is None:
        return
    if not actor_kinds(actor, incident) & set(kinds):
        raise PermissionDenied(
            _("your role on this incident does not allow you to %(what)s") % {"what": what}
        )


def require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise DomainError(
            "status", _("the incident is %(state)s") % {"state": incident.get_status_display()}
        )


def role_holders(role_codes: Iterable[str], *, backups: bool = True) -> list[TeamMembership]:
    """The memberships of the plan's roles `role_codes`, with role and person read along;
    the backups too unless `backups` is False (a join less as an incident opens)."""
    related = ["role", "person", *(["backup"] if backups else [])]
    return list(
        TeamMembership.objects.filter(role__code__in=list(role_codes), role__in_plan=True)
        .select_related(*related)
        .order_by("role__code", "id")
    )


def add_participants(
    incident: Incident, people: Iterable[tuple[User, str]], *, actor: User | None
) -> list[tuple[User, str]]:
    """Make each (user, role) a participant; returns those that were new.

    One read and one INSERT whatever the number of people (paging a step adds several as an
    incident opens). Two calls adding the same person and role at the same moment write one
    row — the second INSERT is ignored — but both may return it as new: a caller that tells
    people they were added locks the incident first (set_team)."""
    wanted = {(user.pk, role): (user, role) for user, role in people}
    if not wanted:
        return []
    existing = set(
        Participant.objects.filter(incident=incident, user_id__in={pk for pk, _role in wanted})
        .order_by()
        .values_list("user_id", "role")
    )
    added = [pair for key, pair in wanted.items() if key not in existing]
    Participant.objects.bulk_create(
        [Participant(incident=incident, user=u, role=r, added_by=actor) for u, r in added],
        ignore_conflicts=True,
    )
    return added


def notify(incident: Incident, recipients: Iterable[User], render: Render) -> None:
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if people:
        queue_deliveries(
            people.values(),
            render,
            incident_id=incident.pk,
            drill=incident.is_drill,
        )


def participants_with_roles(incident: Incident, roles: Iterable[str]) -> list[User]:
    return [
        p.user
        for p in Participant.objects.filter(incident=incident, role__in=list(roles)).select_related(
            "user"
        )
    ]


def team_members(incident: Incident) -> list[User]:
    return [
        p.user
        for p in Participant.objects.filter(incident=incident)
        .exclude(role="reporter")
        .select_related("user")
    ]


def after_seconds(start: dt.datetime, seconds: int) -> dt.datetime:
    return start + dt.timedelta(seconds=seconds)


def q_holds(user: User) -> Q:
    return Q(person_id=user.pk) | Q(backup_id=user.pk)
