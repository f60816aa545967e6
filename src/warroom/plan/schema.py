"""The schema of a plan document (one YAML file), as pydantic v2 models.

Structure is checked here; references between parts (a task naming a department, a playbook
naming a risk category, ...) are checked in `validation.py`, which can report every problem at
once with its location.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=64)]
LANGS = ("zh-Hans", "en")

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> int:
    """Seconds in a duration such as '15m', '1h30m', '2d' or '45s'. Raises ValueError."""
    match = _DURATION.match(text.strip()) if text else None
    if not text or not match or not any(match.groups()):
        raise ValueError(f"not a duration: {text!r} (use e.g. 15m, 1h30m, 2d)")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def format_duration(seconds: int) -> str:
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A human text in both languages. Missing or empty translations are errors."""

    # Only the alias `zh-Hans` is accepted in documents (validate_by_name stays off).
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(alias="zh-Hans", min_length=1)
    en: str = Field(min_length=1)

    @field_validator("zh", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("translation is blank")
        return value.strip()

    def get(self, lang: str) -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


Duration = Annotated[str, Field(min_length=1)]


class Named(Strict):
    code: Code
    name: Text
    description: Text | None = None


class SystemKind(Named):
    pass


class Scope(Strict):
    statement: Text
    system_kinds: list[SystemKind] = Field(min_length=1)


class RiskCategory(Named):
    examples: list[Text] = []
    restricted: bool = False  # incidents of this category are visible to participants only


class Targets(Strict):
    """Response targets for an impact level, as durations from the report."""

    acknowledge: Duration
    assess: Duration
    mitigate: Duration
    resolve: Duration
    user_update_every: Duration

    @field_validator("acknowledge", "assess", "mitigate", "resolve", "user_update_every")
    @classmethod
    def _duration(cls, value: str) -> str:
        if parse_duration(value) <= 0:
            raise ValueError("must be longer than zero")
        return value

    def seconds(self) -> dict[str, int]:
        return {name: parse_duration(getattr(self, name)) for name in type(self).model_fields}


class ImpactLevel(Named):
    rank: int = Field(ge=1, le=9)  # 1 is the most severe
    targets: Targets
    team: list[Code] = []  # roles always engaged at this level


class Department(Named):
    duties: Text


RoleKind = Literal["commander", "deputy", "member"]


class Role(Named):
    kind: RoleKind
    department: Code
    held_by: Text  # who holds it, in the plan's words (e.g. head of the IT department)
    duties: Text | None = None


class Team(Strict):
    name: Text
    purpose: Text
    roles: list[Role] = Field(min_length=1)


class Step(Strict):
    code: Code
    title: Text
    description: Text
    departments: list[Code] = []
    roles: list[Code] = []


class Phase(Strict):
    code: Code
    section: Annotated[str, Field(pattern=r"^4\.\d$")]
    title: Text
    steps: list[Step] = Field(min_length=1)


class Task(Strict):
    code: Code
    phase: Code
    department: Code
    title: Text
    description: Text | None = None
    checklist: list[Text] = []
    min_level: Code | None = None  # only for incidents at this level or more severe


class Playbook(Strict):
    summary: Text
    team: list[Code] = []  # roles brought in for this category, beyond the level's team
    tasks: list[Task] = Field(min_length=1)


class ChecklistItem(Strict):
    code: Code
    phase: Code
    department: Code
    title: Text
    description: Text | None = None


class MaterialItem(Named):
    examples: list[Text] = []


class AllocationRule(Strict):
    level: Code
    materials: list[Code] = []
    description: Text


class Materials(Strict):
    statement: Text
    items: list[MaterialItem] = Field(min_length=1)
    allocation: Text
    allocation_rules: list[AllocationRule] = []


class DrillScenario(Strict):
    code: Code
    category: Code
    level: Code
    title: Text
    description: Text


class Drills(Strict):
    statement: Text
    every: Duration
    scenarios: list[DrillScenario] = []


class Evaluation(Strict):
    drills: Drills
    performance: Text
    criteria: list[Text] = Field(min_length=1)
    improvement: Text
    review_every: Duration


class Plan(Strict):
    """One emergency plan document. Codes link its parts; `validation.py` checks the links."""

    schema_version: Literal[1]
    title: Text
    summary: Text
    goals_statement: Text
    goals: list[Text] = Field(min_length=1)
    scope: Scope
    risk_statement: Text
    risk_categories: list[RiskCategory] = Field(min_length=1)
    impact_statement: Text
    impact_levels: list[ImpactLevel] = Field(min_length=1)
    team: Team
    departments: list[Department] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    playbooks: dict[Code, Playbook]
    recovery_checklist: list[ChecklistItem] = Field(min_length=1)
    materials: Materials
    evaluation: Evaluation

    def level(self, code: str) -> ImpactLevel | None:
        return next((lvl for lvl in self.impact_levels if lvl.code == code), None)

    def role(self, code: str) -> Role | None:
        return next((role for role in self.team.roles if role.code == code), None)

    def role_of_kind(self, kind: RoleKind) -> Role | None:
        return next((role for role in self.team.roles if role.kind == kind), None)

    def category(self, code: str) -> RiskCategory | None:
        return next((cat for cat in self.risk_categories if cat.code == code), None)
