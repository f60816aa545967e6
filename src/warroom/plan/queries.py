"""Reads of the stored plan."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import yaml

from warroom.plan.models import PlanVersion
from warroom.plan.schema import Named, Plan


class NoPlanError(LookupError):
    """No plan has been applied yet (run `warroom plan apply` or `make run`)."""


# The large fields of a version: its YAML twice, the parsed document, the diff.
LARGE_FIELDS = ("source", "document", "canonical_yaml", "diff")


def current_version(*, large: bool = True) -> PlanVersion:
    """The version in force. `large=False` leaves out LARGE_FIELDS (read on first use):
    the parsed plan comes from plan_of's cache, and opening an incident needs only the
    version's identity."""
    versions = PlanVersion.objects.order_by("-number")
    version = (versions if large else versions.defer(*LARGE_FIELDS)).first()
    if version is None:
        raise NoPlanError("no plan has been applied yet; run `warroom plan apply FILE`")
    return version


def version(number: int) -> PlanVersion:
    return PlanVersion.objects.get(number=number)


def plan_of(version: PlanVersion) -> Plan:
    return _parse(version.sha256, version.pk)


@lru_cache(maxsize=16)
def _parse(sha256: str, pk: int) -> Plan:
    # Versions are immutable, so the parsed plan can be cached by id and hash.
    text = PlanVersion.objects.values_list("canonical_yaml", flat=True).get(pk=pk)
    return Plan.model_validate(yaml.safe_load(text))


def current_plan() -> Plan:
    return plan_of(current_version(large=False))


def choices(kind: str, lang: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs of a list in the plan in force: system_kinds, risk_categories,
    impact_levels or materials. Empty when no plan is applied."""
    try:
        plan = current_plan()
    except NoPlanError:
        return []
    lists: dict[str, Sequence[Named]] = {
        "system_kinds": plan.scope.system_kinds,
        "risk_categories": plan.risk_categories,
        "impact_levels": plan.impact_levels,
        "materials": plan.materials.items,
    }
    items = lists[kind]
    return [(item.code, item.name.get(lang)) for item in items]
