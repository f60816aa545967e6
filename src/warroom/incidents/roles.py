"""What a person is on an incident: the basis of every permission check in this app.

An actor may hold several kinds at once:
- admin: a superuser;
- commander / deputy: holds (or backs up) that team role of the plan, or takes it on this
  incident as a participant;
- security / legal: holds the plan role of the security lead or of legal (they see restricted
  incidents);
- team: holds any team role of the plan, or takes part in this incident;
- participant: is on this incident's team or reported it;
- reporter: reported this incident.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from warroom.incidents.models import Incident, Participant
from warroom.people.models import TeamMembership

AnyUser = User | AnonymousUser

ROLE_KINDS = ("commander", "deputy")


def plan_role_kinds(user: AnyUser) -> tuple[set[str], set[str]]:
    """(role kinds, role codes) the user holds or backs up in the plan in force."""
    if not user.is_authenticated:
        return set(), set()
    rows = TeamMembership.objects.filter(
        Q(person_id=user.pk) | Q(backup_id=user.pk), role__in_plan=True
    ).values_list("role__kind", "role__code", "role__department__code")
    kinds: set[str] = set()
    codes: set[str] = set()
    for kind, code, dept in rows:
        kinds.add(kind)
        codes.add(code)
        if dept == "legal":
            kinds.add("legal")
        if kind == "deputy" or dept == "security":
            kinds.add("security")
    return kinds, codes


def actor_kinds(user: AnyUser, incident: Incident | None) -> set[str]:
    if not user.is_authenticated:
        return set()
    kinds, codes = plan_role_kinds(user)
    result = {k for k in kinds if k in ("commander", "deputy", "legal", "security")}
    if codes:
        result.add("team")
    if getattr(user, "is_superuser", False):
        result.add("admin")
    if incident is not None:
        roles = set(
            Participant.objects.filter(incident=incident, user_id=user.pk).values_list(
                "role", flat=True
            )
        )
        if roles:
            result.add("participant")
            if roles - {"reporter"}:
                result.add("team")
            result |= {r for r in roles if r in ROLE_KINDS}
        if incident.reporter_id == user.pk:
            result |= {"participant", "reporter"}
    return result


def can_see(user: AnyUser, incident: Incident) -> bool:
    """Restricted incidents: participants, the security lead, legal and administrators only."""
    if not user.is_authenticated:
        return False
    if not incident.restricted:
        return True
    return bool(actor_kinds(user, incident) & {"admin", "participant", "security", "legal"})


def visible_filter(user: AnyUser) -> Q:
    """A filter on Incident selecting what `user` may see (for lists, search and exports)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    kinds, _ = plan_role_kinds(user)
    if getattr(user, "is_superuser", False) or kinds & {"security", "legal"}:
        return Q()
    mine = Participant.objects.filter(user_id=user.pk).values("incident_id")
    return Q(restricted=False) | Q(pk__in=mine) | Q(reporter_id=user.pk)
