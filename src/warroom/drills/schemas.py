"""API schemas of drills."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from warroom.drills.models import Drill, Finding, Inject


class InjectIn(Schema):
    kind: str = "alert"
    offset_seconds: int = 0
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    system: str | None = Field(None, description="a system's name")
    category: str = ""
    level: str = ""
    payload: dict[str, Any] = Field(
        default_factory=dict, description="an Alertmanager webhook (version 4); {}: made up"
    )


class InjectPatch(Schema):
    kind: str | None = None
    offset_seconds: int | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    system: str | None = None
    category: str | None = None
    level: str | None = None
    payload: dict[str, Any] | None = None


class InjectOut(Schema):
    id: int
    kind: str
    offset_seconds: int
    title: str
    description: str
    system: str | None
    category: str
    level: str
    payload: dict[str, Any]
    due_at: dt.datetime | None
    sent_at: dt.datetime | None
    done_at: dt.datetime | None
    sent_via: str
    incident: int | None = Field(None, alias="incident_id")
    error: str

    @staticmethod
    def resolve_system(obj: Inject) -> str | None:
        return obj.system.name if obj.system else None


class FindingIn(Schema):
    text: str = Field(min_length=1, max_length=5000)
    owner: str | None = Field(None, description="a username")
    due_date: dt.date | None = None


class FindingPatch(Schema):
    status: str = Field(description="open or done")


class FindingOut(Schema):
    id: int
    drill: int = Field(alias="drill_id")
    text: str
    owner: str | None
    due_date: dt.date | None
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None

    @staticmethod
    def resolve_owner(obj: Finding) -> str | None:
        return obj.owner.get_username() if obj.owner else None


class DrillIn(Schema):
    scenario: str
    scheduled_for: dt.date
    title: str = Field("", max_length=200)
    notes: str = ""
    default_injects: bool = Field(True, description="the scenario's alert at 0 s")


class DrillPatch(Schema):
    scheduled_for: dt.date | None = None
    title: str | None = Field(None, max_length=200)
    notes: str | None = None


class ScheduleIn(Schema):
    from_date: dt.date
    count: int = Field(ge=1, le=20)


class DrillOut(Schema):
    id: int
    reference: str
    scenario: str
    title: str = Field(description="the title given, else the scenario's")
    scheduled_for: dt.date
    status: str
    plan_version: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    percent: float | None

    @staticmethod
    def resolve_title(obj: Drill) -> str:
        return obj.display_title

    @staticmethod
    def resolve_plan_version(obj: Drill) -> int:
        return obj.plan_version.number


class DrillDetailOut(DrillOut):
    notes: str
    injects: list[InjectOut]
    findings: list[FindingOut]
    incidents: list[int]
    score: dict[str, Any] | None

    @staticmethod
    def resolve_injects(obj: Drill) -> list[Inject]:
        return list(obj.injects.select_related("system").order_by("offset_seconds", "id"))

    @staticmethod
    def resolve_findings(obj: Drill) -> list[Finding]:
        return list(obj.findings.select_related("owner").order_by("due_date", "id"))

    @staticmethod
    def resolve_incidents(obj: Drill) -> list[int]:
        from warroom.drills.queries import drill_incidents

        return drill_incidents(obj)


class ProposalOut(Schema):
    scheduled_for: dt.date
    scenario: str
    category: str
    level: str


class OverdueOut(Schema):
    kind: str = Field(description="cadence: no drill finished in time; date: a planned day passed")
    due: dt.date
    days_late: int
    drill: int | None
