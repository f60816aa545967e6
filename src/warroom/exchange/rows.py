"""Check and convert the rows of an import file, writing nothing.

`validate` looks at every row of every batch and returns the records ready for the write
service together with every problem found, each with its line and field, so that a file is
either written whole or not at all. Per row it checks what the save services would refuse
(codes of the plan in force, dates, numbers, Apprise URLs, lengths the database enforces; see
`fields.py`); across rows what only the whole file shows: duplicate keys, references to records
in the file or the database, and dependency cycles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from warroom.catalog.models import Risk, System
from warroom.exchange.fields import (
    LIST_SEPARATOR,
    Context,
    RowCheck,
    allowed,
    given,
    max_length,
)
from warroom.exchange.parse import Batch, Row
from warroom.lib.graph import find_cycle
from warroom.lib.progress import ProgressFactory, no_progress
from warroom.plan.validation import Problem
from warroom.resources.models import ExternalContact, Resource

COLUMNS: dict[str, tuple[str, ...]] = {
    "systems": (
        "name",
        "kind",
        "owner_department",
        "criticality",
        "description",
        "backup_location",
        "backup_frequency",
        "last_restore_verified",
        "runbook_links",
        "depends_on",
    ),
    "risks": (
        "system",
        "title",
        "category",
        "likelihood",
        "impact_level",
        "mitigation",
        "owner",
        "next_review",
    ),
    "people": (
        "username",
        "first_name",
        "last_name",
        "email",
        "department",
        "phone",
        "language",
        "contact_methods",
        "team_role",
        "team_backup",
    ),
    "resources": (
        "name",
        "kind",
        "location",
        "department",
        "custodian",
        "quantity",
        "state",
        "last_checked",
        "notes",
    ),
    "contacts": ("name", "kind", "covers", "contract_ref", "phone", "email", "how_to_reach"),
}
# Columns a new record cannot do without; a CSV header must name them all.
REQUIRED: dict[str, tuple[str, ...]] = {
    "systems": ("name", "kind", "owner_department"),
    "risks": ("system", "title", "category", "likelihood", "impact_level", "next_review"),
    "people": ("username",),
    "resources": ("name", "kind", "department"),
    "contacts": ("name", "kind"),
}

_USERNAME = re.compile(r"[\w.@+-]+")


@dataclass
class Record:
    """A valid row, ready to write. `fields` holds only the values given; references to other
    records (systems, people) are kept as names and resolved when written."""

    kind: str
    line: int
    key: Any  # the natural key: a name, a username, or (system name, title) for a risk
    existing: Any  # the stored model instance, or None when the row creates one
    fields: dict[str, Any]


def _system(c: RowCheck) -> Record | None:
    ctx = c.ctx
    name = c.key("name", max_length(System, "name"))
    if name is None:
        return None
    if LIST_SEPARATOR in name:
        c.fail("name", f"must not contain {LIST_SEPARATOR!r} (it separates names in CSV)")
    existing = ctx.systems.get(name)
    c.creating = existing is None
    fields = given(
        name=name,
        kind=c.choice("kind", ctx.system_kinds, "system kind", required=True),
        owner_department=c.department("owner_department", required=True),
        criticality=c.choice(
            "criticality", [code for code, _ in System.CRITICALITY_CHOICES], "criticality"
        ),
        description=c.text("description"),
        backup_location=c.text("backup_location", max_length(System, "backup_location")),
        backup_frequency=c.text("backup_frequency", max_length(System, "backup_frequency")),
        last_restore_verified=c.date("last_restore_verified"),
        runbook_links=c.urls("runbook_links"),
        depends_on=c.items("depends_on"),
    )
    for target in fields.get("depends_on", []):
        if target == name:
            c.fail("depends_on", f"{name} cannot depend on itself")
        elif not ctx.has_system(target):
            c.fail("depends_on", f"no system named {target!r} in the file or the database")
    return Record("systems", c.row.line, name, existing, fields)


def _risk(c: RowCheck) -> Record | None:
    ctx = c.ctx
    system = c.key("system", max_length(System, "name"))
    title = c.key("title", max_length(Risk, "title"))
    if system is not None and not ctx.has_system(system):
        c.fail("system", f"no system named {system!r} in the file or the database")
    if system is None or title is None:
        return None
    existing = ctx.risks.get((system, title))
    c.creating = existing is None
    fields = given(
        system=system,
        title=title,
        category=c.choice("category", ctx.categories, "risk category", required=True),
        likelihood=c.integer("likelihood", 1, 5, required=True),
        impact_level=c.choice("impact_level", ctx.levels, "impact level", required=True),
        mitigation=c.text("mitigation"),
        owner=c.person("owner"),
        next_review=c.date("next_review", required=True),
    )
    return Record("risks", c.row.line, (system, title), existing, fields)


def _person(c: RowCheck) -> Record | None:
    ctx = c.ctx
    username = c.key("username", 150)
    if username is None:
        return None
    if not _USERNAME.fullmatch(username):
        c.fail("username", "letters, digits and @ . + - _ only")
    existing = ctx.users.get(username)
    c.creating = existing is None
    fields = given(
        username=username,
        first_name=c.text("first_name", 150),
        last_name=c.text("last_name", 150),
        email=c.email("email", 254),
        department=c.department("department"),
        phone=c.text("phone", 40),
        language=c.choice("language", ctx.languages, "language"),
        contact_methods=c.contact_methods(),
        team_role=c.choice("team_role", ctx.roles, "team role"),
        team_backup=c.person("team_backup"),
    )
    backup = fields.get("team_backup")
    if backup is not None and "team_role" not in fields:
        c.fail("team_backup", "a backup needs a team_role in the same record")
    if backup == username:
        c.fail("team_backup", "the backup must be someone else")
    return Record("people", c.row.line, username, existing, fields)


def _resource(c: RowCheck) -> Record | None:
    ctx = c.ctx
    name = c.key("name", max_length(Resource, "name"))
    if name is None:
        return None
    existing = ctx.resources.get(name)
    c.creating = existing is None
    fields = given(
        name=name,
        kind=c.choice("kind", ctx.materials, "material", required=True),
        location=c.text("location", max_length(Resource, "location")),
        department=c.department("department", required=True),
        custodian=c.person("custodian"),
        quantity=c.integer("quantity", 0, None),
        state=c.choice("state", [code for code, _ in Resource.STATE_CHOICES], "state"),
        last_checked=c.date("last_checked"),
        notes=c.text("notes"),
    )
    return Record("resources", c.row.line, name, existing, fields)


def _contact(c: RowCheck) -> Record | None:
    name = c.key("name", max_length(ExternalContact, "name"))
    if name is None:
        return None
    existing = c.ctx.contacts.get(name)
    c.creating = existing is None
    fields = given(
        name=name,
        kind=c.choice(
            "kind",
            [code for code, _ in ExternalContact.KIND_CHOICES],
            "contact kind",
            required=True,
        ),
        covers=c.text("covers"),
        contract_ref=c.text("contract_ref", max_length(ExternalContact, "contract_ref")),
        phone=c.text("phone", max_length(ExternalContact, "phone")),
        email=c.email("email", max_length(ExternalContact, "email")),
        how_to_reach=c.text("how_to_reach"),
    )
    reach = ("phone", "email", "how_to_reach")
    final = {f: fields.get(f, getattr(existing, f, "")) for f in reach}
    if not c.failed and not any(final.values()):
        c.fail("how_to_reach", "give at least a phone, an email or how to reach them")
    return Record("contacts", c.row.line, name, existing, fields)


CLEANERS: dict[str, Callable[[RowCheck], Record | None]] = {
    "systems": _system,
    "risks": _risk,
    "people": _person,
    "resources": _resource,
    "contacts": _contact,
}
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "systems": ("name",),
    "risks": ("system", "title"),
    "people": ("username",),
    "resources": ("name",),
    "contacts": ("name",),
}


def _raw_key(batch: Batch, row: Row) -> Any:
    parts = [str(row.values.get(f) or "").strip() for f in KEY_FIELDS[batch.kind]]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _header_problems(batch: Batch, creates: bool) -> list[Problem]:
    """Unknown columns, and missing required ones: the key always, the others when a row
    creates a record (a file that only updates may leave them out)."""
    if batch.header is None:
        return []
    known = COLUMNS[batch.kind]
    problems = [
        Problem((name,), f"unknown column (known: {allowed(known)})", batch.header_line)
        for name in batch.header
        if name and name not in known
    ]
    needed = REQUIRED[batch.kind] if creates else KEY_FIELDS[batch.kind]
    problems += [
        Problem((name,), "required column is missing", batch.header_line)
        for name in needed
        if name not in batch.header
    ]
    return problems


def _field_problems(batch: Batch, row: Row) -> list[Problem]:
    if batch.header is not None:
        return []  # reported once for the header
    known = COLUMNS[batch.kind]
    return [
        Problem((name,), f"unknown field (known: {allowed(known)})", row.line)
        for name in row.values
        if name not in known
    ]


def validate(
    batches: Sequence[Batch], *, progress: ProgressFactory = no_progress
) -> tuple[list[Record], list[Problem]]:
    """Records ready to write, in file order, and every problem found, in line order.

    Writes nothing. Raises NoPlanError when no plan has been applied (codes cannot be checked).
    """
    ctx = Context()
    for batch in batches:
        ctx.in_file[batch.kind] |= {_raw_key(batch, row) for row in batch.rows}
    records: list[Record] = []
    problems: list[Problem] = []
    with progress("validated", sum(len(batch.rows) for batch in batches)) as bar:
        for batch in batches:
            first_line: dict[Any, int] = {}
            creates = False
            for row in batch.rows:
                problems += _field_problems(batch, row)
                check = RowCheck(batch, row, ctx, problems)
                record = CLEANERS[batch.kind](check)
                creates = creates or (record is not None and record.existing is None)
                if record is not None and record.key in first_line:
                    what = " / ".join(KEY_FIELDS[batch.kind])
                    check.fail(
                        KEY_FIELDS[batch.kind][-1],
                        f"duplicate {what} {record.key!r} (first on line {first_line[record.key]})",
                    )
                elif record is not None:
                    first_line[record.key] = row.line
                if record is not None and not check.failed:
                    records.append(record)
                bar.advance()
            problems += _header_problems(batch, creates)
    problems += _cycle_problems(records, ctx)
    problems.sort(key=lambda problem: problem.line)
    return records, problems


def _cycle_problems(records: list[Record], ctx: Context) -> list[Problem]:
    """The first dependency cycle the stored graph with the file's changes would have."""
    lines: dict[str, int] = {}
    graph = {name: set(targets) for name, targets in ctx.dependencies.items()}
    for record in records:
        if record.kind == "systems" and "depends_on" in record.fields:
            graph[record.key] = set(record.fields["depends_on"]) - {record.key}
            lines[record.key] = record.line
    if not lines:
        return []
    # Sorted so the same file always names the same cycle, starting at its first name.
    cycle = find_cycle({name: sorted(graph[name]) for name in sorted(graph)})
    if not cycle:
        return []
    ring = cycle[:-1]
    start = ring.index(min(ring))
    ring = ring[start:] + ring[:start]
    line = min(lines[name] for name in ring if name in lines)
    return [Problem(("depends_on",), f"dependency cycle: {' → '.join([*ring, ring[0]])}", line)]
