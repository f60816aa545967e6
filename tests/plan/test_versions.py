from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from warroom.people.models import Department, TeamRole
from warroom.plan.models import PlanVersion
from warroom.plan.services import PlanInvalid, apply_plan

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_apply_stores_version_with_hash_and_syncs_organisation(default_plan_text: str) -> None:
    result = apply_plan(default_plan_text, comment="first")
    assert result.created is True
    version = result.version
    assert (version.number, version.comment, len(version.sha256)) == (1, "first", 64)
    assert version.diff.startswith("--- (none)\n+++ v1\n")
    assert list(Department.objects.values_list("code", flat=True)) == [
        "customer_service",
        "development",
        "it",
        "legal",
        "operations",
        "security",
    ]
    commander = TeamRole.objects.get(code="commander")
    assert (commander.kind, commander.department.code, commander.name_zh) == (
        "commander",
        "it",
        "组长",
    )
    assert commander.group.name == "team:commander"
    assert Group.objects.filter(name__startswith="team:").count() == 6


def test_identical_plan_changes_nothing(default_plan_text: str) -> None:
    first = apply_plan(default_plan_text).version
    # Comments and layout are not content: the same plan reformatted is no new version.
    again = apply_plan("# reformatted\n" + default_plan_text)
    assert again.created is False
    assert again.version.pk == first.pk
    assert PlanVersion.objects.count() == 1


def test_changed_plan_is_next_version_with_diff(default_plan_text: str) -> None:
    apply_plan(default_plan_text)
    changed = default_plan_text.replace("review_every: 365d", "review_every: 180d")
    second = apply_plan(changed).version
    assert second.number == 2
    assert "-  review_every: 365d\n+  review_every: 180d\n" in second.diff


def test_invalid_plan_stores_nothing(default_plan_text: str) -> None:
    apply_plan(default_plan_text)
    with pytest.raises(PlanInvalid) as info:
        apply_plan(default_plan_text.replace("rank: 2", "rank: 1"))
    assert [p.message for p in info.value.problems] == ["duplicate rank 1"]
    assert PlanVersion.objects.count() == 1


def test_removed_department_leaves_the_plan(default_plan_text: str) -> None:
    import yaml

    apply_plan(default_plan_text)
    data = yaml.safe_load(default_plan_text)
    data["departments"].append(
        {
            "code": "facilities",
            "name": {"zh-Hans": "后勤", "en": "Facilities"},
            "duties": {"zh-Hans": "场地", "en": "Premises"},
        }
    )
    apply_plan(yaml.safe_dump(data, allow_unicode=True))
    assert Department.objects.get(code="facilities").in_plan is True
    apply_plan(default_plan_text)
    assert Department.objects.get(code="facilities").in_plan is False
    assert PlanVersion.objects.count() == 3


def test_cli_validate_ok_and_broken(tmp_path: Path, default_plan_text: str) -> None:
    good = tmp_path / "plan.yaml"
    good.write_text(default_plan_text, encoding="utf-8")
    out, _ = _run("plan", "validate", str(good))
    assert out == f"{good}: valid\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        default_plan_text.replace("department: legal", "department: lawyers", 1), encoding="utf-8"
    )
    line = default_plan_text[: default_plan_text.index("department: legal")].count("\n") + 1
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("plan", "validate", str(bad), stderr=err)
    assert info.value.returncode == 1
    assert err.getvalue().splitlines()[0].startswith(f"{bad}:{line} team.roles[5].department: ")
    assert str(info.value) == f"{bad}: 1 problem(s)"


def test_cli_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        _run("plan", "validate", str(tmp_path / "nope.yaml"))
    assert info.value.returncode == 1
    assert "cannot read" in str(info.value)


def test_cli_apply_diff_show_export(tmp_path: Path, default_plan_text: str, admin: Any) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(default_plan_text, encoding="utf-8")
    out, _ = _run("plan", "apply", str(path), "--author", "root")
    assert out.startswith(f"applied {path} as plan v1 (sha256 ")
    assert PlanVersion.objects.get().author == admin
    out, _ = _run("plan", "apply", str(path))
    assert out == f"unchanged: {path} is plan v1 already\n"
    path.write_text(default_plan_text.replace("every: 90d", "every: 30d"), encoding="utf-8")
    _run("plan", "apply", str(path))
    out, _ = _run("plan", "diff")
    assert "-    every: 90d\n+    every: 30d\n" in out
    out, _ = _run("plan", "diff", "1", "2")
    assert out.startswith("--- v1\n+++ v2\n")
    out, _ = _run("plan", "diff", "2", "2")
    assert out == "no differences\n"
    out, _ = _run("plan", "show", "--version", "1")
    assert out.startswith("# plan v1 applied ")
    assert "every: 90d" in out
    target = tmp_path / "plan.html"
    out, _ = _run("plan", "export", "--lang", "en", "--format", "html", "-o", str(target))
    html = target.read_text(encoding="utf-8")
    assert "<h1>Software Management Emergency Response Plan</h1>" in html
    with pytest.raises(CommandError):
        _run("plan", "show", "--version", "9")
