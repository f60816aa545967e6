"""§4.2 Assess and give orders: acknowledgement, assessment and deadlines, the response team,
emergency orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.catalog.models import System
from warroom.catalog.queries import dependents_of
from warroom.incidents import messages
from warroom.incidents.models import Incident, Order, Participant, Status
from warroom.incidents.roles import actor_kinds
from warroom.incidents.services.common import (
    add_participants,
    after_seconds,
    notify,
    plan_for,
    require,
    require_open,
    role_holders,
)
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import LEADS, transition
from warroom.lib.errors import DomainError


def acknowledge_incident(incident: Incident, *, actor: User) -> Incident:
    """Someone of the emergency team has seen the report (stops the acknowledge clock)."""
    return transition(incident, Status.ACKNOWLEDGED, actor=actor)


def assess_incident(
    incident: Incident,
    *,
    actor: User,
    level: str,
    category: str,
    systems: Sequence[System] | None = None,
    scope: str = "",
    restricted: bool | None = None,
) -> Incident:
    """Record the assessment: level, category, affected systems and scope; the level's targets
    become the incident's deadlines. The first assessment moves the incident to `assessed`
    (acknowledging it first if nobody has); later ones update it in place."""
    plan = plan_for(incident)
    chosen_level = plan.level(level)
    if chosen_level is None:
        raise DomainError("level", _("unknown impact level %(code)r") % {"code": level})
    chosen_category = plan.category(category)
    if chosen_category is None:
        raise DomainError("category", _("unknown risk category %(code)r") % {"code": category})
    require(actor, incident, LEADS, _("assess the incident"))
    require_open(incident)
    with transaction.atomic():
        if incident.status == Status.REPORTED:
            transition(incident, Status.ACKNOWLEDGED, actor=actor)
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        targets = chosen_level.targets.seconds()
        start = incident.reported_at
        incident.level = level
        incident.category = category
        if scope:
            incident.scope = scope
        if restricted is not None:
            incident.marked_restricted = restricted
        incident.restricted = incident.marked_restricted or chosen_category.restricted
        incident.due_acknowledge = after_seconds(start, targets["acknowledge"])
        incident.due_assess = after_seconds(start, targets["assess"])
        incident.due_mitigate = after_seconds(start, targets["mitigate"])
        incident.due_resolve = after_seconds(start, targets["resolve"])
        incident.next_update_due = after_seconds(timezone.now(), targets["user_update_every"])
        incident.save()
        if systems is not None:
            incident.systems.set(systems)
        at_risk = sorted(
            System.objects.filter(
                pk__in=dependents_of(s.pk for s in incident.systems.all())
            ).values_list("name", flat=True)
        )
        append_event(
            incident,
            "assessed",
            actor=actor,
            data={
                "level": level,
                "category": category,
                "systems": sorted(incident.systems.values_list("name", flat=True)),
                "also_at_risk": at_risk,
                "scope": incident.scope,
                "restricted": incident.restricted,
            },
        )
        if incident.status == Status.ACKNOWLEDGED:
            transition(incident, Status.ASSESSED, actor=actor)
    incident.refresh_from_db()
    return incident


@dataclass(frozen=True)
class Proposal:
    role: str
    person: User
    backup: User | None


def propose_team(incident: Incident) -> list[Proposal]:
    """The response team the plan calls for: the level's team plus the category's playbook
    team, each role with the people who hold it (and their backups)."""
    plan = plan_for(incident)
    roles: list[str] = []
    level = plan.level(incident.level) if incident.level else None
    if level:
        roles += level.team
    playbook = plan.playbooks.get(incident.category) if incident.category else None
    if playbook:
        roles += [r for r in playbook.team if r not in roles]
    commander = plan.role_of_kind("commander")
    if commander and commander.code not in roles:
        roles.insert(0, commander.code)
    order = {code: i for i, code in enumerate(roles)}
    holders = sorted(role_holders(roles), key=lambda m: (order[m.role.code], m.pk))
    return [Proposal(m.role.code, m.person, m.backup) for m in holders]


def set_team(
    incident: Incident, *, actor: User, members: Sequence[tuple[User, str]]
) -> list[tuple[User, str]]:
    """Confirm or change the response team: (person, role) pairs in the plan's team roles.
    Those added are notified; people dropped from a team role stop being participants. Who
    is on the incident for another reason stays: the reporter, a person an order was
    addressed to (`responder`) and whoever was paged from an on-call schedule (`oncall`)."""
    require(actor, incident, LEADS, _("name the response team"))
    require_open(incident)
    plan = plan_for(incident)
    known = {r.code for r in plan.team.roles}
    for index, (_user, role) in enumerate(members):
        if role not in known:
            raise DomainError(f"members[{index}].role", _("unknown role %(code)r") % {"code": role})
    wanted = {(u.pk, r) for u, r in members}
    with transaction.atomic():
        # One change of the team at a time: who was added (and told so) is then exact.
        Incident.objects.select_for_update().only("pk").get(pk=incident.pk)
        removed = [
            p
            for p in Participant.objects.filter(incident=incident, role__in=known)
            if (p.user_id, p.role) not in wanted
        ]
        Participant.objects.filter(pk__in=[p.pk for p in removed]).delete()
        added = add_participants(incident, members, actor=actor)
        append_event(
            incident,
            "team",
            actor=actor,
            data={
                "added": [[u.get_username(), r] for u, r in added],
                "removed": [[p.user.get_username(), p.role] for p in removed],
            },
        )
        names = {r.code: r.name for r in plan.team.roles}
        for user, role in added:
            text = names[role]
            notify(incident, [user], messages.added_to_team(incident, text.get))
    return added


def issue_order(
    incident: Incident,
    *,
    actor: User,
    text: str,
    to_role: str = "",
    to_person: User | None = None,
    due_at: dt.datetime | None = None,
) -> Order:
    """An emergency order from the commander or the deputy to a role or a person."""
    require(actor, incident, {"admin", "commander", "deputy"}, _("issue orders"))
    require_open(incident)
    if not text.strip():
        raise DomainError("text", _("required"))
    if not to_role and to_person is None:
        raise DomainError("to_role", _("give a role or a person"))
    if to_role and plan_for(incident).role(to_role) is None:
        raise DomainError("to_role", _("unknown role %(code)r") % {"code": to_role})
    with transaction.atomic():
        order = Order.objects.create(
            incident=incident,
            text=text.strip(),
            to_role=to_role,
            to_person=to_person,
            issued_by=actor,
            due_at=due_at,
        )
        receivers = order_receivers(order)
        append_event(
            incident,
            "order",
            actor=actor,
            data={
                "order": order.pk,
                "text": order.text,
                "to_role": to_role,
                "to_person": to_person.get_username() if to_person else None,
                "due_at": due_at.isoformat() if due_at else None,
            },
        )
        add_participants(incident, [(u, to_role or "responder") for u in receivers], actor=actor)
        due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M") if due_at else ""
        notify(incident, receivers, messages.order_issued(incident, order.text, due))
    return order


def order_receivers(order: Order) -> list[User]:
    if order.to_person is not None:
        return [order.to_person]
    team = [
        p.user
        for p in Participant.objects.filter(
            incident=order.incident_id, role=order.to_role
        ).select_related("user")
    ]
    return team or [m.person for m in role_holders([order.to_role])]


def acknowledge_order(order: Order, *, actor: User) -> Order:
    """The receiver confirms they have the order. Only a receiver (or a lead) may."""
    incident = order.incident
    receivers = {u.pk for u in order_receivers(order)}
    if actor.pk not in receivers and not actor_kinds(actor, incident) & LEADS:
        raise PermissionDenied(_("this order is not addressed to you"))
    if order.acknowledged_at is not None:
        raise DomainError("order", _("already acknowledged"))
    with transaction.atomic():
        order.acknowledged_by = actor
        order.acknowledged_at = timezone.now()
        order.save(update_fields=["acknowledged_by", "acknowledged_at"])
        append_event(incident, "order_acknowledged", actor=actor, data={"order": order.pk})
    return order
