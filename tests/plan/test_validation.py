from __future__ import annotations

import re

import pytest
import yaml

from warroom.plan.schema import Plan
from warroom.plan.services import canonical, document_yaml
from warroom.plan.validation import validate_text


def _problems(text: str) -> list[str]:
    _, problems = validate_text(text)
    return [p.format("plan.yaml") for p in problems]


def _line_of(text: str, pattern: str, nth: int = 0) -> int:
    matches = [i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]
    return matches[nth]


def test_default_plan_is_valid(default_plan_text: str) -> None:
    plan, problems = validate_text(default_plan_text)
    assert problems == []
    assert isinstance(plan, Plan)


def test_default_plan_covers_the_seed(default_plan_text: str) -> None:
    plan, _ = validate_text(default_plan_text)
    assert plan is not None
    assert [k.code for k in plan.scope.system_kinds] == [
        "erp",
        "crm",
        "website",
        "mobile_app",
        "internal",
        "other",
    ]
    assert [c.code for c in plan.risk_categories] == [
        "system_failure",
        "data_leak",
        "network_attack",
        "human_error",
    ]
    assert [lvl.code for lvl in plan.impact_levels] == ["high", "medium", "low"]
    assert [d.code for d in plan.departments] == [
        "it",
        "security",
        "development",
        "operations",
        "customer_service",
        "legal",
    ]
    assert plan.role_of_kind("commander").department == "it"  # type: ignore[union-attr]
    assert plan.role_of_kind("deputy").department == "security"  # type: ignore[union-attr]
    assert [(p.code, p.section) for p in plan.phases] == [
        ("report", "4.1"),
        ("orders", "4.2"),
        ("response", "4.3"),
        ("logistics", "4.4"),
        ("recovery", "4.5"),
        ("review", "4.6"),
    ]
    assert set(plan.playbooks) == {"system_failure", "data_leak", "network_attack", "human_error"}
    assert [m.code for m in plan.materials.items] == [
        "spare_servers",
        "backup_equipment",
        "security_monitoring",
        "emergency_comms",
    ]
    assert plan.title.zh == "软件管理应急预案"
    assert plan.scope.system_kinds[0].name.zh == "企业资源规划（ERP）系统"
    data_leak_departments = {t.department for t in plan.playbooks["data_leak"].tasks}
    assert {"security", "legal", "customer_service"} <= data_leak_departments


def test_default_plan_round_trips(default_plan_text: str) -> None:
    plan, _ = validate_text(default_plan_text)
    assert plan is not None
    again, problems = validate_text(document_yaml(canonical(plan)))
    assert problems == []
    assert again == plan


def test_unknown_department_is_located(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["playbooks"]["data_leak"]["tasks"][2]["department"] = "secops"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    line = _line_of(text, r"department: secops")
    assert _problems(text) == [
        f"plan.yaml:{line} playbooks.data_leak.tasks[2].department: unknown department 'secops'"
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    problems = _problems("title:\n  en: x\n  zh-Hans: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].startswith("plan.yaml:4: YAML syntax error:")


def test_not_a_mapping() -> None:
    assert _problems("- a\n- b\n") == [
        "plan.yaml:1: a plan must be a YAML mapping at the top level"
    ]


def test_missing_translation_is_located(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    del data["departments"][3]["duties"]["zh-Hans"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    line = _line_of(text, r"^  duties:", 3)
    assert _problems(text) == [
        f"plan.yaml:{line} departments[3].duties.zh-Hans: missing translation 'zh-Hans'"
    ]


def test_blank_translation_is_an_error(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["goals"][0]["en"] = "   "
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (problem,) = _problems(text)
    assert problem.endswith("goals[0].en: missing translation 'en'")


def test_duplicate_codes(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["departments"][1]["code"] = "it"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = _problems(text)
    assert any(p.endswith("departments[1].code: duplicate department 'it'") for p in problems)


def test_duplicate_yaml_key_is_reported() -> None:
    text = "schema_version: 1\nschema_version: 1\n"
    assert "plan.yaml:2 schema_version: duplicate key" in _problems(text)


def test_impossible_targets(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["impact_levels"][0]["targets"]["resolve"] = "10m"  # before mitigate (1h)
    data["impact_levels"][1]["targets"]["acknowledge"] = "1m"  # faster than high (5m)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert problems == [
        "impact_levels[0].targets.resolve: impossible target: resolve (600s) comes before "
        "mitigate (3600s)",
        "impact_levels[1].targets.acknowledge: impossible target: level 'medium' must not be "
        "faster than the more severe level 'high' (5m)",
    ]


def test_bad_duration(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["impact_levels"][2]["targets"]["assess"] = "soon"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (problem,) = _problems(text)
    assert problem.endswith(
        "impact_levels[2].targets.assess: not a duration: 'soon' (use e.g. 15m, 1h30m, 2d)"
    )


def test_unknown_field_and_missing_field(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["scope"]["colour"] = "red"
    del data["evaluation"]["review_every"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert "scope.colour: unknown field" in problems
    assert "evaluation.review_every: required field is missing" in problems


def test_unknown_references_across_the_plan(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["team"]["roles"][0]["department"] = "board"
    data["impact_levels"][0]["team"].append("ceo")
    data["playbooks"]["data_leak"]["tasks"][0]["phase"] = "panic"
    data["evaluation"]["drills"]["scenarios"][0]["category"] = "meteor"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert "team.roles[0].department: unknown department 'board'" in problems
    team_index = len(data["impact_levels"][0]["team"]) - 1
    assert f"impact_levels[0].team[{team_index}]: unknown role 'ceo'" in problems
    assert "playbooks.data_leak.tasks[0].phase: unknown phase 'panic'" in problems
    assert "evaluation.drills.scenarios[0].category: unknown risk category 'meteor'" in problems


@pytest.mark.parametrize("missing", ["commander", "deputy"])
def test_team_needs_one_commander_and_one_deputy(default_plan_text: str, missing: str) -> None:
    data = yaml.safe_load(default_plan_text)
    for role in data["team"]["roles"]:
        if role["kind"] == missing:
            role["kind"] = "member"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert f"team.roles: the team needs exactly one {missing}, found 0" in problems


def test_lifecycle_phases_are_required(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["phases"][4]["code"] = "cleanup"
    for task in data["recovery_checklist"]:
        task["phase"] = "cleanup"
    for playbook in data["playbooks"].values():
        for task in playbook["tasks"]:
            if task["phase"] == "recovery":
                task["phase"] = "cleanup"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert problems == [
        "phases: missing phase(s) 'recovery': the incident process is built on the six phases of §4"
    ]


def test_chinese_text_needs_the_zh_hans_key(default_plan_text: str) -> None:
    data = yaml.safe_load(default_plan_text)
    data["goals"][0] = {"zh": "目标", "en": "Goal"}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = [p.split(" ", 1)[1] for p in _problems(text)]
    assert problems == [
        "goals[0].zh: unknown field",
        "goals[0].zh-Hans: missing translation 'zh-Hans'",
    ]
