"""The catalog as CSV or YAML in the importer's own format, so an export imports back unchanged.

Every field is written, blank ones too (an empty cell, `null`, `[]`), so importing an export
over changed data restores it. Contact methods are Apprise URLs and may hold channel tokens:
an export of people is as secret as the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from warroom.catalog.models import Risk, System
from warroom.exchange.fields import LIST_SEPARATOR
from warroom.exchange.parse import KINDS
from warroom.exchange.rows import COLUMNS
from warroom.people.models import ContactMethod, TeamMembership
from warroom.resources.models import ExternalContact, Resource

User = get_user_model()

Rows = list[dict[str, Any]]


def _systems() -> Rows:
    rows = System.objects.select_related("owner_department").prefetch_related("depends_on")
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "owner_department": s.owner_department.code,
            "criticality": s.criticality,
            "description": s.description,
            "backup_location": s.backup_location,
            "backup_frequency": s.backup_frequency,
            "last_restore_verified": s.last_restore_verified,
            "runbook_links": list(s.runbook_links),
            "depends_on": sorted(d.name for d in s.depends_on.all()),
        }
        for s in rows.order_by("name")
    ]


def _risks() -> Rows:
    rows = Risk.objects.select_related("system", "owner").order_by("system__name", "title")
    return [
        {
            "system": r.system.name,
            "title": r.title,
            "category": r.category,
            "likelihood": r.likelihood,
            "impact_level": r.impact_level,
            "mitigation": r.mitigation,
            "owner": r.owner.get_username() if r.owner else None,
            "next_review": r.next_review,
        }
        for r in rows
    ]


def _people() -> Rows:
    """People with a profile (accounts made only to sign in to the admin are left out).

    The importer gives a person one team role; someone holding several is exported with the
    first in the plan's order (commander, deputy, members).
    """
    rows = (
        User.objects.filter(profile__isnull=False)
        .select_related("profile__department")
        .prefetch_related(
            Prefetch("contact_methods", queryset=ContactMethod.objects.order_by("position")),
            Prefetch(
                "team_memberships",
                queryset=TeamMembership.objects.select_related("role", "backup").order_by(
                    "role__kind", "role__code"
                ),
            ),
        )
        .order_by("username")
    )
    out: Rows = []
    for user in rows:
        profile = user.profile
        membership = next(iter(user.team_memberships.all()), None)
        backup = membership.backup if membership else None
        out.append(
            {
                "username": user.get_username(),
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "department": profile.department.code if profile.department else None,
                "phone": profile.phone,
                "language": profile.language,
                "contact_methods": [
                    {"label": m.label, "url": m.url} for m in user.contact_methods.all()
                ],
                "team_role": membership.role.code if membership else None,
                "team_backup": backup.get_username() if backup else None,
            }
        )
    return out


def _resources() -> Rows:
    rows = Resource.objects.select_related("department", "custodian").order_by("name")
    return [
        {
            "name": r.name,
            "kind": r.kind,
            "location": r.location,
            "department": r.department.code,
            "custodian": r.custodian.get_username() if r.custodian else None,
            "quantity": r.quantity,
            "state": r.state,
            "last_checked": r.last_checked,
            "notes": r.notes,
        }
        for r in rows
    ]


def _contacts() -> Rows:
    return [
        {name: getattr(c, name) for name in COLUMNS["contacts"]}
        for c in ExternalContact.objects.order_by("name")
    ]


EXPORTERS: dict[str, Callable[[], Rows]] = {
    "systems": _systems,
    "risks": _risks,
    "people": _people,
    "resources": _resources,
    "contacts": _contacts,
}


def export_records(kind: str) -> Rows:
    """The stored records of `kind`, sorted by natural key, as field → value (lists, dates,
    [{label, url}] for contact methods), with the fields in `COLUMNS[kind]` order."""
    return EXPORTERS[kind]()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(
            f"{item['label']}={item['url']}" if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render_csv(kind: str, rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    for row in rows:
        writer.writerow([_cell(row[name]) for name in COLUMNS[kind]])
    return out.getvalue()


def render_yaml(sections: dict[str, Rows]) -> str:
    """A catalog file: a mapping from kind to its records, in the importer's kind order."""
    ordered = {kind: sections[kind] for kind in KINDS if kind in sections}
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)


def export_text(kinds: Iterable[str], fmt: str) -> str:
    """The records of `kinds` as a CSV (exactly one kind) or YAML document."""
    kinds = list(kinds)
    if fmt == "csv":
        if len(kinds) != 1:
            raise ValueError("a CSV file holds one kind")
        return render_csv(kinds[0], export_records(kinds[0]))
    return render_yaml({kind: export_records(kind) for kind in kinds})
