"""Writes of the plan: apply a validated document as a new version and sync the organisation."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import yaml
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone

from warroom.people.models import Department, TeamRole
from warroom.plan.models import PlanRevision, PlanVersion, RevisionState
from warroom.plan.schema import Plan
from warroom.plan.validation import Problem, validate_text

# Apps whose models the commander and deputy may change through the admin; other roles view.
MANAGED_APPS = ("people", "plan", "catalog", "resources")


class PlanInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the plan")
        self.problems = problems


@dataclass(frozen=True)
class ApplyResult:
    version: PlanVersion
    created: bool


def canonical(plan: Plan) -> dict[str, Any]:
    return plan.model_dump(mode="json", by_alias=True, exclude_none=True)


def document_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def digest(document: dict[str, Any]) -> str:
    # The hash is of the validated content, so reformatting or comments alone are no new version.
    blob = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def diff_text(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
        )
    )


def diff_versions(old: PlanVersion | None, new: PlanVersion) -> str:
    """Unified diff of two stored versions' canonical YAML ('' when equal)."""
    return diff_text(
        old.canonical_yaml if old else "",
        new.canonical_yaml,
        f"v{old.number}" if old else "(none)",
        f"v{new.number}",
    )


def apply_plan(
    text: str, *, author: User | None = None, comment: str = "", record_revision: bool = True
) -> ApplyResult:
    """Validate `text` and store it as the next plan version.

    Raises PlanInvalid with every problem found; stores nothing then. Applying a plan whose
    content equals the version in force returns that version with created=False.

    This is the administrator's direct path (`warroom plan apply`, the API's apply): a new
    version gets a PlanRevision recorded as approved by its author and effective now, so the
    history of revisions is complete. `plan.revisions` applies its own revisions with
    record_revision=False.
    """
    plan, problems = validate_text(text)
    if plan is None or problems:
        raise PlanInvalid(problems)
    document = canonical(plan)
    sha = digest(document)
    text_yaml = document_yaml(document)
    with transaction.atomic():
        # Lock the latest version so two concurrent applies cannot take the same number.
        latest = PlanVersion.objects.select_for_update().order_by("-number").first()
        if latest is not None and latest.sha256 == sha:
            return ApplyResult(latest, created=False)
        number = (latest.number + 1) if latest else 1
        version = PlanVersion.objects.create(
            number=number,
            author=author,
            sha256=sha,
            source=text,
            document=document,
            canonical_yaml=text_yaml,
            comment=comment,
            diff=diff_text(
                latest.canonical_yaml if latest else "",
                text_yaml,
                f"v{latest.number}" if latest else "(none)",
                f"v{number}",
            ),
        )
        if record_revision:
            now = timezone.now()
            PlanRevision.objects.create(
                source=text,
                comment=comment[:500],
                state=RevisionState.EFFECTIVE,
                direct=True,
                base_version=latest,
                proposed_by=author,
                submitted_at=now,
                approved_by=author,
                approved_at=now,
                effective_on=timezone.localdate(now),
                version=version,
                applied_at=now,
            )
        sync_organisation(plan)
    return ApplyResult(version, created=True)


def sync_organisation(plan: Plan) -> None:
    """Make departments, team roles and their Django groups match the plan.

    Records the plan no longer names are kept (people and systems point at them) but marked
    as out of the plan, which removes the rights their roles gave.
    """
    departments: dict[str, Department] = {}
    for dept in plan.departments:
        departments[dept.code], _ = Department.objects.update_or_create(
            code=dept.code,
            defaults={
                "name_en": dept.name.en,
                "name_zh": dept.name.zh,
                "duties_en": dept.duties.en,
                "duties_zh": dept.duties.zh,
                "in_plan": True,
            },
        )
    Department.objects.exclude(code__in=departments).update(in_plan=False)

    managed = list(Permission.objects.filter(content_type__app_label__in=MANAGED_APPS))
    viewing = [perm for perm in managed if perm.codename.startswith("view_")]
    for role in plan.team.roles:
        group, _ = Group.objects.get_or_create(name=f"team:{role.code}")
        group.permissions.set(managed if role.kind in ("commander", "deputy") else viewing)
        TeamRole.objects.update_or_create(
            code=role.code,
            defaults={
                "name_en": role.name.en,
                "name_zh": role.name.zh,
                "kind": role.kind,
                "department": departments[role.department],
                "group": group,
                "in_plan": True,
            },
        )
    dropped = TeamRole.objects.exclude(code__in=[r.code for r in plan.team.roles])
    for dropped_role in dropped.select_related("group"):
        # A role the plan no longer has gives no rights, in the admin either.
        dropped_role.group.permissions.clear()
        dropped_role.group.user_set.clear()
    dropped.update(in_plan=False)
