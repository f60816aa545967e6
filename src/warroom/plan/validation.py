"""Validate a plan document and say where each problem is.

`validate_text` never raises for bad input: it returns the parsed plan (or None) and a list of
problems, each with the YAML line and the dotted path of the offending value, so the CLI can
print `plan.yaml:42 playbooks.data_leak.tasks[2].department: unknown department 'secops'`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from warroom.plan.schema import Plan, parse_duration

Loc = tuple[str | int, ...]

# The incident lifecycle (report → ... → review) hangs its work on these phase codes.
LIFECYCLE_PHASES = ("report", "orders", "response", "logistics", "recovery", "review")


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    line: int = 0

    @property
    def path(self) -> str:
        return format_path(self.loc)

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where} {self.path}: {self.message}" if self.loc else f"{where}: {self.message}"


def format_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Lines:
    """Maps value paths to the 1-based line where they appear in the YAML source."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self.duplicates: list[Problem] = []
        if root is not None:
            self._find_duplicates(root, ())

    def _find_duplicates(self, node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(
                        Problem((*loc, key), "duplicate key", key_node.start_mark.line + 1)
                    )
                seen.add(key)
                self._find_duplicates(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._find_duplicates(item, (*loc, index))

    def line(self, loc: Loc) -> int:
        """Line of the deepest node along `loc` (the parent when the value is missing)."""
        node = self.root
        if node is None:
            return 0
        line = node.start_mark.line + 1
        for part in loc:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == str(part):
                        child, line = value_node, key_node.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


def validate_text(text: str) -> tuple[Plan | None, list[Problem]]:
    """Parse and check a plan. Returns (plan, []) when valid, else (None or plan, problems)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem((), f"YAML syntax error: {exc.problem or exc}", line)]
    except yaml.YAMLError as exc:
        return None, [Problem((), f"YAML error: {exc}")]
    lines = _Lines(root)
    if not isinstance(data, dict):
        return None, [Problem((), "a plan must be a YAML mapping at the top level", 1)]
    problems = list(lines.duplicates)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems += [_from_pydantic(err, lines) for err in exc.errors()]
        return None, _sorted(problems)
    problems += [Problem(p.loc, p.message, lines.line(p.loc)) for p in check_references(plan, data)]
    return (plan if not problems else None), _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.path))


def _from_pydantic(err: Any, lines: _Lines) -> Problem:
    loc: list[str | int] = list(err["loc"])
    kind = err["type"]
    if loc and loc[-1] == "[key]":
        loc.pop()
        return Problem(tuple(loc), f"invalid code {loc[-1]!r}", lines.line(tuple(loc)))
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        if loc and loc[-1] in ("zh-Hans", "en"):
            message = f"missing translation '{loc[-1]}'"
        else:
            message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "string_pattern_mismatch":
        message = f"invalid code {err.get('input')!r} (lower-case letters, digits and _)"
    elif (kind == "string_too_short" and loc and loc[-1] in ("zh-Hans", "en")) or (
        err.get("ctx", {}).get("error") and loc and loc[-1] in ("zh-Hans", "en")
    ):
        message = f"missing translation '{loc[-1]}'"
    return Problem(tuple(loc), message, lines.line(tuple(loc)))


def _duplicates(items: Sequence[Any], loc: Loc, what: str, attr: str = "code") -> list[Problem]:
    counts = Counter(getattr(item, attr) for item in items)
    problems = []
    seen: set[Any] = set()
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if counts[value] > 1 and value in seen:
            problems.append(Problem((*loc, index, attr), f"duplicate {what} {value!r}"))
        seen.add(value)
    return problems


def _unknown(values: Iterable[str], known: set[str], loc: Loc, what: str) -> list[Problem]:
    return [
        Problem((*loc, index), f"unknown {what} {value!r}")
        for index, value in enumerate(values)
        if value not in known
    ]


def _ref(value: str | None, known: set[str], loc: Loc, what: str) -> list[Problem]:
    if value is None or value in known:
        return []
    return [Problem(loc, f"unknown {what} {value!r}")]


def check_references(plan: Plan, data: dict[str, Any]) -> list[Problem]:
    """Problems a schema cannot see: duplicate codes, unknown references, impossible targets."""
    problems: list[Problem] = []
    departments = {d.code for d in plan.departments}
    roles = {r.code for r in plan.team.roles}
    levels = {lvl.code for lvl in plan.impact_levels}
    categories = {c.code for c in plan.risk_categories}
    phases = {p.code for p in plan.phases}
    materials = {m.code for m in plan.materials.items}

    problems += _duplicates(plan.scope.system_kinds, ("scope", "system_kinds"), "system kind")
    problems += _duplicates(plan.risk_categories, ("risk_categories",), "risk category")
    problems += _duplicates(plan.impact_levels, ("impact_levels",), "impact level")
    problems += _duplicates(plan.impact_levels, ("impact_levels",), "rank", attr="rank")
    problems += _duplicates(plan.departments, ("departments",), "department")
    problems += _duplicates(plan.team.roles, ("team", "roles"), "role")
    problems += _duplicates(plan.phases, ("phases",), "phase")
    problems += _duplicates(plan.phases, ("phases",), "section", attr="section")
    problems += _duplicates(plan.recovery_checklist, ("recovery_checklist",), "checklist item")
    problems += _duplicates(plan.materials.items, ("materials", "items"), "material")
    problems += _duplicates(
        plan.evaluation.drills.scenarios, ("evaluation", "drills", "scenarios"), "scenario"
    )

    for kind in ("commander", "deputy"):
        holders = [r for r in plan.team.roles if r.kind == kind]
        if len(holders) != 1:
            problems.append(
                Problem(
                    ("team", "roles"), f"the team needs exactly one {kind}, found {len(holders)}"
                )
            )
    for i, role in enumerate(plan.team.roles):
        problems += _ref(
            role.department, departments, ("team", "roles", i, "department"), "department"
        )

    for i, level in enumerate(plan.impact_levels):
        loc: Loc = ("impact_levels", i)
        problems += _unknown(level.team, roles, (*loc, "team"), "role")
        problems += _check_targets(level.targets.seconds(), (*loc, "targets"))
    problems += _check_level_order(plan)

    missing = [code for code in LIFECYCLE_PHASES if code not in phases]
    if missing:
        problems.append(
            Problem(
                ("phases",),
                f"missing phase(s) {', '.join(map(repr, missing))}: the "
                "incident process is built on the six phases of §4",
            )
        )
    for i, phase in enumerate(plan.phases):
        problems += _duplicates(phase.steps, ("phases", i, "steps"), "step")
        for j, step in enumerate(phase.steps):
            loc = ("phases", i, "steps", j)
            problems += _unknown(step.departments, departments, (*loc, "departments"), "department")
            problems += _unknown(step.roles, roles, (*loc, "roles"), "role")

    for code, playbook in plan.playbooks.items():
        loc = ("playbooks", code)
        if code not in categories:
            problems.append(Problem(loc, f"unknown risk category {code!r}"))
        problems += _unknown(playbook.team, roles, (*loc, "team"), "role")
        problems += _duplicates(playbook.tasks, (*loc, "tasks"), "task")
        for j, task in enumerate(playbook.tasks):
            tloc = (*loc, "tasks", j)
            problems += _ref(task.phase, phases, (*tloc, "phase"), "phase")
            problems += _ref(task.department, departments, (*tloc, "department"), "department")
            problems += _ref(task.min_level, levels, (*tloc, "min_level"), "impact level")
    for i, category in enumerate(plan.risk_categories):
        if category.code not in plan.playbooks:
            problems.append(
                Problem(
                    ("risk_categories", i, "code"),
                    f"no playbook for risk category {category.code!r}",
                )
            )

    for i, item in enumerate(plan.recovery_checklist):
        loc = ("recovery_checklist", i)
        problems += _ref(item.phase, phases, (*loc, "phase"), "phase")
        problems += _ref(item.department, departments, (*loc, "department"), "department")

    for i, rule in enumerate(plan.materials.allocation_rules):
        loc = ("materials", "allocation_rules", i)
        problems += _ref(rule.level, levels, (*loc, "level"), "impact level")
        problems += _unknown(rule.materials, materials, (*loc, "materials"), "material")

    drills = plan.evaluation.drills
    for i, scenario in enumerate(drills.scenarios):
        loc = ("evaluation", "drills", "scenarios", i)
        problems += _ref(scenario.category, categories, (*loc, "category"), "risk category")
        problems += _ref(scenario.level, levels, (*loc, "level"), "impact level")
    for loc, text in (
        (("evaluation", "drills", "every"), drills.every),
        (("evaluation", "review_every"), plan.evaluation.review_every),
    ):
        try:
            if parse_duration(text) <= 0:
                problems.append(Problem(loc, "must be longer than zero"))
        except ValueError as exc:
            problems.append(Problem(loc, str(exc)))
    return problems


_ORDER = ("acknowledge", "assess", "mitigate", "resolve")


def _check_targets(seconds: dict[str, int], loc: Loc) -> list[Problem]:
    problems = []
    for earlier, later in itertools.pairwise(_ORDER):
        if seconds[later] < seconds[earlier]:
            problems.append(
                Problem(
                    (*loc, later),
                    f"impossible target: {later} ({seconds[later]}s) comes before "
                    f"{earlier} ({seconds[earlier]}s)",
                )
            )
    return problems


def _check_level_order(plan: Plan) -> list[Problem]:
    """A more severe level (lower rank) may not allow more time than a less severe one."""
    problems = []
    ordered = sorted(enumerate(plan.impact_levels), key=lambda pair: pair[1].rank)
    for (_, severe), (j, mild) in itertools.pairwise(ordered):
        s_targets, m_targets = severe.targets.seconds(), mild.targets.seconds()
        for name in _ORDER:
            if m_targets[name] < s_targets[name]:
                problems.append(
                    Problem(
                        ("impact_levels", j, "targets", name),
                        f"impossible target: level {mild.code!r} must not be faster than the "
                        f"more severe level {severe.code!r} ({getattr(severe.targets, name)})",
                    )
                )
    return problems
