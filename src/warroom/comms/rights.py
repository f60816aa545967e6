"""Who may do what with the status page: post public updates, see subscribers, manage
components. Built on the incident roles (incidents.roles) and the plan's team roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from warroom.incidents.models import Incident, Participant
from warroom.incidents.roles import actor_kinds, can_see
from warroom.people.access import can_manage_plan
from warroom.people.models import TeamMembership, TeamRole

AnyUser = User | AnonymousUser

# The plan's communications role is the team role of this department (plan §4.3.3).
COMMS_DEPARTMENT = "customer_service"
LEADS = frozenset({"admin", "commander", "deputy"})


def comms_role_codes() -> list[str]:
    """Codes of the plan's team roles whose department is customer service."""
    return list(
        TeamRole.objects.filter(department__code=COMMS_DEPARTMENT, in_plan=True).values_list(
            "code", flat=True
        )
    )


def holds_comms_role(user: AnyUser) -> bool:
    """Holds or backs up a customer-service role of the plan in force."""
    if not user.is_authenticated:
        return False
    return TeamMembership.objects.filter(
        Q(person_id=user.pk) | Q(backup_id=user.pk),
        role__department__code=COMMS_DEPARTMENT,
        role__in_plan=True,
    ).exists()


def has_comms_role(user: AnyUser, incident: Incident) -> bool:
    """Holds (or backs up) a customer-service role of the plan in force, or takes one on
    this incident. One query."""
    if not user.is_authenticated:
        return False
    on_incident = Participant.objects.filter(incident=incident, user_id=user.pk).values("role")
    return (
        TeamRole.objects.filter(department__code=COMMS_DEPARTMENT, in_plan=True)
        .filter(
            Q(memberships__person_id=user.pk)
            | Q(memberships__backup_id=user.pk)
            | Q(code__in=on_incident)
        )
        .exists()
    )


def can_post_public_update(
    user: AnyUser, incident: Incident, kinds: set[str] | None = None
) -> bool:
    """The customer-service role (held in the plan, or taken on this incident), the commander,
    the deputy and administrators — provided they may see the incident at all. `kinds` are
    the user's actor_kinds on the incident when the caller has them already (the incident
    page does)."""
    if not user.is_authenticated or not can_see(user, incident):
        return False
    kinds = actor_kinds(user, incident) if kinds is None else kinds
    if kinds & LEADS:
        return True
    # Holding any plan role, or taking part in the incident, makes one "team": without it
    # nobody holds the customer-service role, and no query is needed to say so.
    return "team" in kinds and has_comms_role(user, incident)


def can_see_subscribers(user: AnyUser) -> bool:
    """Subscribers' addresses are personal data: plan managers and customer service only."""
    return can_manage_plan(user) or holds_comms_role(user)


def can_manage_components(user: AnyUser) -> bool:
    return can_manage_plan(user)
