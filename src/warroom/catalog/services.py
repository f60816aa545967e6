"""Writes of the catalog: systems, their dependencies and their risks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from warroom.catalog.models import Dependency, Risk, System
from warroom.lib.errors import Conflict, DomainError
from warroom.lib.graph import find_cycle
from warroom.people.models import Department
from warroom.plan.queries import current_plan

SYSTEM_FIELDS = (
    "name",
    "kind",
    "owner_department",
    "criticality",
    "description",
    "backup_location",
    "backup_frequency",
    "last_restore_verified",
    "runbook_links",
)


def check_system_kind(kind: str, field: str = "kind") -> None:
    kinds = {k.code for k in current_plan().scope.system_kinds}
    if kind not in kinds:
        raise DomainError(field, f"unknown system kind {kind!r} (plan: {', '.join(sorted(kinds))})")


def _check_runbooks(links: Any) -> list[str]:
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise DomainError("runbook_links", "must be a list of URLs")
    for link in links:
        if not link.startswith(("http://", "https://")):
            raise DomainError("runbook_links", f"not an http(s) URL: {link!r}")
    return links


def save_system(
    system: System | None, *, depends_on: Iterable[System] | None = None, **fields: Any
) -> System:
    """Create (system=None) or update a system from the named fields, and replace what it
    depends on when `depends_on` is given. All or nothing. Raises DomainError."""
    unknown = set(fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    if "kind" in fields:
        check_system_kind(fields["kind"])
    if "criticality" in fields and fields["criticality"] not in dict(System.CRITICALITY_CHOICES):
        raise DomainError(
            "criticality", f"must be one of {', '.join(dict(System.CRITICALITY_CHOICES))}"
        )
    if "runbook_links" in fields:
        fields["runbook_links"] = _check_runbooks(fields["runbook_links"])
    if (
        isinstance(fields.get("owner_department"), Department)
        and not fields["owner_department"].in_plan
    ):
        raise DomainError("owner_department", "department is no longer in the plan")
    target = system or System()
    for key, value in fields.items():
        setattr(target, key, value)
    if system is None and "name" not in fields:
        raise DomainError("name", "required")
    with transaction.atomic():
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError as exc:
            raise Conflict("name", f"a system named {target.name!r} already exists") from exc
        if depends_on is not None:
            set_dependencies(target, depends_on)
    return target


def dependency_graph(
    extra: Iterable[tuple[int, int]] = (), replace: int | None = None
) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = defaultdict(set)
    for src, dst in Dependency.objects.values_list("system_id", "depends_on_id"):
        if src != replace:
            graph[src].add(dst)
    for src, dst in extra:
        graph[src].add(dst)
    return graph


def describe_cycle(ids: list[int]) -> str:
    names = dict(System.objects.filter(pk__in=ids).values_list("pk", "name"))
    return " → ".join(names.get(i, str(i)) for i in ids)


def check_dependencies(system: System, targets: Iterable[System]) -> None:
    """Raise DomainError naming the cycle if `system` depending on `targets` would close one."""
    targets = list(targets)
    if any(t.pk == system.pk for t in targets):
        raise DomainError("depends_on", f"{system.name} cannot depend on itself")
    graph = dependency_graph(((system.pk, t.pk) for t in targets), replace=system.pk)
    cycle = find_cycle(graph)
    if cycle:
        # Name the cycle from the system being changed: that is where the user is looking.
        ring = cycle[:-1]
        if system.pk in ring:
            start = ring.index(system.pk)
            ring = ring[start:] + ring[:start]
        raise DomainError("depends_on", f"dependency cycle: {describe_cycle([*ring, ring[0]])}")


def set_dependencies(system: System, depends_on: Iterable[System]) -> None:
    """Replace what `system` depends on. Raises DomainError naming the cycle it would make."""
    targets = list({s.pk: s for s in depends_on}.values())
    with transaction.atomic():
        # Serialise graph changes so two concurrent edits cannot close a cycle together.
        list(System.objects.select_for_update().filter(pk=system.pk))
        check_dependencies(system, targets)
        Dependency.objects.filter(system=system).exclude(depends_on__in=targets).delete()
        existing = set(
            Dependency.objects.filter(system=system).values_list("depends_on_id", flat=True)
        )
        Dependency.objects.bulk_create(
            Dependency(system=system, depends_on=t) for t in targets if t.pk not in existing
        )


def delete_system(system: System) -> None:
    system.delete()


RISK_FIELDS = (
    "system",
    "category",
    "title",
    "likelihood",
    "impact_level",
    "mitigation",
    "owner",
    "next_review",
)


def impact_weight(level_code: str) -> int:
    """Weight of an impact level: the most severe level weighs as many as there are levels."""
    levels = sorted(current_plan().impact_levels, key=lambda lvl: lvl.rank)
    for index, level in enumerate(levels):
        if level.code == level_code:
            return len(levels) - index
    raise DomainError(
        "impact_level",
        f"unknown impact level {level_code!r} (plan: {', '.join(lvl.code for lvl in levels)})",
    )


def check_risk_category(category: str) -> None:
    codes = [c.code for c in current_plan().risk_categories]
    if category not in codes:
        raise DomainError(
            "category", f"unknown risk category {category!r} (plan: {', '.join(codes)})"
        )


def save_risk(risk: Risk | None, **fields: Any) -> Risk:
    """Create or update a risk; the rating is recomputed. Raises DomainError."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    target = risk or Risk()
    for key, value in fields.items():
        setattr(target, key, value)
    check_risk_category(target.category)
    if not isinstance(target.likelihood, int) or not 1 <= target.likelihood <= 5:
        raise DomainError("likelihood", "must be a whole number from 1 to 5")
    if not isinstance(target.next_review, dt.date):
        raise DomainError("next_review", "required (a date)")
    if not (target.title or "").strip():
        raise DomainError("title", "required")
    target.rating = target.likelihood * impact_weight(target.impact_level)
    target.save()
    return target


def delete_risk(risk: Risk) -> None:
    risk.delete()
