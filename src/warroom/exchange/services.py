"""The write service of the importer: a whole file or nothing.

Every row is checked first (`rows.validate`); only a file without a single problem is written,
in one transaction, through the save services of the catalog, people and resources apps. Rows
that match what is stored are left alone, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import DatabaseError, transaction

from warroom.catalog.models import Dependency, System
from warroom.catalog.services import save_risk, save_system, set_dependencies
from warroom.exchange.fields import KEEP
from warroom.exchange.parse import KINDS, Batch, read_file
from warroom.exchange.rows import Record, validate
from warroom.lib.errors import DomainError
from warroom.lib.progress import NullProgress, ProgressFactory, no_progress
from warroom.people.models import ContactMethod, Profile, TeamMembership, TeamRole
from warroom.people.services import (
    add_team_member,
    create_person,
    set_backup,
    update_person,
)
from warroom.plan.validation import Problem
from warroom.resources.services import save_contact, save_resource

User = get_user_model()
T = TypeVar("T")

# People first (resources and risks name them), then systems (risks name them).
WRITE_ORDER = ("people", "systems", "risks", "resources", "contacts")


class ImportFailed(ValueError):
    """The file was not imported; `problems` says why, each with its line and field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing imported")
        self.problems = problems


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)  # by kind, for the kinds given

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def lines(self) -> list[str]:
        return [f"{kind}: {counts}" for kind, counts in self.counts.items()]


def import_file(
    path: Path, *, kind: str | None = None, progress: ProgressFactory = no_progress
) -> ImportResult:
    """Import a CSV or YAML file. Raises ImportFailed listing every problem; writes nothing
    then. Raises NoPlanError when no plan has been applied."""
    batches, problems = read_file(path, kind)
    if problems:
        # Check the rows that could be read too, so one run reports everything.
        _, more = validate(batches)
        raise ImportFailed(sorted(problems + more, key=lambda p: p.line))
    return import_records(batches, progress=progress)


def import_records(
    batches: Sequence[Batch], *, progress: ProgressFactory = no_progress
) -> ImportResult:
    """Create or update (by natural key) the records of `batches`, all or nothing.

    Raises ImportFailed with every problem of every row when any row is invalid, or with the
    row a save service refused mid-way (the transaction is then rolled back).
    """
    records, problems = validate(batches, progress=progress)
    if problems:
        raise ImportFailed(problems)
    kinds = sorted({batch.kind for batch in batches}, key=KINDS.index)
    result = ImportResult({kind: Counts() for kind in kinds})
    with progress("written", len(records)) as bar, transaction.atomic():
        _Writer(result, bar).write(records)
    return result


class _Writer:
    """Writes valid records through the save services, counting what changed."""

    def __init__(self, result: ImportResult, bar: NullProgress) -> None:
        self.result = result
        self.bar = bar
        self._systems: dict[str, System] = {}
        self._users: dict[str, AbstractUser] = {}

    def write(self, records: list[Record]) -> None:
        by_kind: dict[str, list[Record]] = {kind: [] for kind in WRITE_ORDER}
        for record in records:
            by_kind[record.kind].append(record)
        steps = (
            (by_kind["people"], self._people),
            (by_kind["systems"], self._systems_and_dependencies),
            (by_kind["risks"], self._each(self._risk)),
            (by_kind["resources"], self._each(self._resource)),
            (by_kind["contacts"], self._each(self._contact)),
        )
        for group, step in steps:
            if group:
                step(group)

    def _count(self, record: Record, status: str) -> None:
        counts = self.result.counts[record.kind]
        setattr(counts, status, getattr(counts, status) + 1)
        self.bar.advance()

    def _guard(self, record: Record, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a save service; a refusal becomes ImportFailed naming the row."""
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise ImportFailed([Problem((exc.field,), exc.message, record.line)]) from exc
        except DatabaseError as exc:
            problem = Problem((), f"the database refused the row: {exc}", record.line)
            raise ImportFailed([problem]) from exc

    def _each(self, write_one: Callable[[Record], str]) -> Callable[[list[Record]], None]:
        def run(records: list[Record]) -> None:
            for record in records:
                self._count(record, write_one(record))

        return run

    def user(self, username: str | None) -> AbstractUser | None:
        if username is None:
            return None
        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

    def system(self, name: str) -> System:
        if name not in self._systems:
            self._systems[name] = System.objects.get(name=name)
        return self._systems[name]

    # people ------------------------------------------------------------------------------

    def _people(self, records: list[Record]) -> None:
        statuses = [self._person(record) for record in records]
        # Memberships once everyone is stored: a backup may be defined further down the file.
        for record, status in zip(records, statuses, strict=True):
            if self._membership(record) and status == "unchanged":
                status = "updated"
            self._count(record, status)

    def _person(self, record: Record) -> str:
        fields = dict(record.fields)
        username = fields.pop("username")
        methods = fields.pop("contact_methods", None)
        fields.pop("team_role", None)
        fields.pop("team_backup", None)
        user: AbstractUser | None = record.existing
        if user is None:
            user = self._guard(
                record, create_person, username=username, contact_methods=methods, **fields
            )
            self._users[username] = user
            return "created"
        self._users[username] = user
        changed = {
            name: value for name, value in fields.items() if _person_value(user, name) != value
        }
        stored = [
            {"label": m.label, "url": m.url}
            for m in ContactMethod.objects.filter(user_id=user.pk).order_by("position")
        ]
        if methods == stored:
            methods = None
        if not changed and methods is None:
            return "unchanged"
        self._guard(record, update_person, user, contact_methods=methods, **changed)
        return "updated"

    def _membership(self, record: Record) -> bool:
        """Name the person for their team role (and backup); True when that changed anything."""
        code = record.fields.get("team_role")
        if code is None:
            return False
        person = self.user(record.key)
        assert person is not None
        role = TeamRole.objects.get(code=code)
        backup_name = record.fields.get("team_backup", KEEP)
        backup = None if backup_name is KEEP else self.user(backup_name)
        membership = TeamMembership.objects.filter(role=role, person_id=person.pk).first()
        if membership is None:
            self._guard(record, add_team_member, role, person, backup=backup)
            return True
        if backup_name is KEEP or membership.backup_id == (backup.pk if backup else None):
            return False
        self._guard(record, set_backup, membership, backup)
        return True

    # systems -----------------------------------------------------------------------------

    def _systems_and_dependencies(self, records: list[Record]) -> None:
        """Save every system, then rewire dependencies: stale links are removed before new
        ones are added, so no intermediate graph has a cycle the final one lacks."""
        statuses: list[str] = []
        rewire: list[tuple[Record, System, list[str], set[str]]] = []
        for record in records:
            fields = dict(record.fields)
            wanted = fields.pop("depends_on", None)
            system: System | None = record.existing
            if system is None:
                system = self._guard(record, save_system, None, **fields)
                statuses.append("created")
            else:
                changed = {k: v for k, v in fields.items() if getattr(system, k) != v}
                if changed:
                    self._guard(record, save_system, system, **changed)
                statuses.append("updated" if changed else "unchanged")
            self._systems[system.name] = system
            stored = record.existing is not None and wanted is not None
            current = _dependencies(system) if stored else set()
            if wanted is not None and set(wanted) != current:
                rewire.append((record, system, wanted, current))
                statuses[-1] = "created" if record.existing is None else "updated"
        for record, system, wanted, current in rewire:
            if current - set(wanted):
                kept = [self.system(name) for name in wanted if name in current]
                self._guard(record, set_dependencies, system, kept)
        for record, system, wanted, _ in rewire:
            targets = [self.system(name) for name in wanted]
            self._guard(record, set_dependencies, system, targets)
        for record, status in zip(records, statuses, strict=True):
            self._count(record, status)

    # risks, resources, contacts ----------------------------------------------------------

    def _save(self, record: Record, save: Callable[..., object], fields: dict[str, Any]) -> str:
        existing = record.existing
        if existing is None:
            self._guard(record, save, None, **fields)
            return "created"
        changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if not changed:
            return "unchanged"
        self._guard(record, save, existing, **changed)
        return "updated"

    def _risk(self, record: Record) -> str:
        fields = dict(record.fields)
        fields["system"] = self.system(fields["system"])
        if "owner" in fields:
            fields["owner"] = self.user(fields["owner"])
        return self._save(record, save_risk, fields)

    def _resource(self, record: Record) -> str:
        fields = dict(record.fields)
        if "custodian" in fields:
            fields["custodian"] = self.user(fields["custodian"])
        return self._save(record, save_resource, fields)

    def _contact(self, record: Record) -> str:
        return self._save(record, save_contact, dict(record.fields))


def _dependencies(system: System) -> set[str]:
    links = Dependency.objects.filter(system=system).values_list("depends_on__name", flat=True)
    return set(links)


def _person_value(user: AbstractUser, name: str) -> Any:
    if name in ("first_name", "last_name", "email"):
        return getattr(user, name)
    try:
        profile = user.profile  # type: ignore[attr-defined]
    except Profile.DoesNotExist:
        return KEEP  # differs from any value: the profile is created
    return getattr(profile, name)
