"""Who may do what, decided by the emergency team roles of the plan in force (plan §3).

- administrators (superusers), the commander and the deputy change the plan and the team;
- a department's representatives (holders or backups of a team role of that department)
  edit that department's systems, risks and resources;
- everyone signed in reads.

A named backup has the rights of the role they stand in for: the plan needs them to act when
the holder cannot be reached, without waiting for an administrator.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from warroom.people.models import Department, TeamMembership

AnyUser = AbstractBaseUser | AnonymousUser


def _memberships(user: AnyUser) -> Q:
    return Q(person_id=user.pk) | Q(backup_id=user.pk)


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def can_manage_plan(user: AnyUser) -> bool:
    """Administrators, the commander and the deputy (or their backups)."""
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    return (
        TeamMembership.objects.filter(_memberships(user))
        .filter(role__kind__in=("commander", "deputy"), role__in_plan=True)
        .exists()
    )


def represented_departments(user: AnyUser) -> set[int]:
    """Ids of the departments whose team role this user holds or backs up."""
    if not user.is_authenticated:
        return set()
    return set(
        TeamMembership.objects.filter(_memberships(user))
        .filter(role__in_plan=True)
        .values_list("role__department_id", flat=True)
    )


def can_edit_department(user: AnyUser, department: Department | int | None) -> bool:
    if can_manage_plan(user):
        return True
    if department is None:
        return False
    dept_id = department if isinstance(department, int) else department.pk
    return dept_id in represented_departments(user)
