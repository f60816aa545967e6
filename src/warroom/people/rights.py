"""What one user may change, read once per request.

The rules are those of `access.py`; this only reads them up front (two queries at most) so
that a list page can decide for each row whether to offer the edit buttons without asking the
database again per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.people.access import AnyUser, can_manage_plan, represented_departments
from warroom.people.models import Department


@dataclass(frozen=True)
class EditRights:
    manage_plan: bool
    departments: frozenset[int]

    def department(self, department: Department | int | None) -> bool:
        """Same answer as access.can_edit_department for this user."""
        if self.manage_plan:
            return True
        if department is None:
            return False
        dept_id = department if isinstance(department, int) else department.pk
        return dept_id in self.departments

    @property
    def team_member(self) -> bool:
        """Holds or backs up a role of the team in force, or manages the plan: so may change
        the things of at least one department, and the outside contacts."""
        return self.manage_plan or bool(self.departments)


def edit_rights(user: AnyUser) -> EditRights:
    manage = can_manage_plan(user)
    departments = frozenset() if manage else frozenset(represented_departments(user))
    return EditRights(manage_plan=manage, departments=departments)


def can_edit_contacts(user: AnyUser) -> bool:
    """Outside contacts serve every department: any member of the team keeps them current."""
    return edit_rights(user).team_member
