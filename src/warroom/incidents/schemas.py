"""API schemas of the incident process."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from warroom.incidents.models import Incident
from warroom.incidents.queries import deadlines


def _username(user: Any) -> str | None:
    return user.get_username() if user else None


class DeadlineOut(Schema):
    name: str
    due: dt.datetime | None
    reached: dt.datetime | None
    missed: bool
    seconds_left: int | None


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    category: str
    level: str
    restricted: bool
    drill: bool = Field(alias="is_drill")
    reported_at: dt.datetime
    reporter: str | None
    systems: list[str]
    plan_version: int = Field(alias="plan_version.number")

    @staticmethod
    def resolve_reporter(obj: Incident) -> str | None:
        return _username(obj.reporter)

    @staticmethod
    def resolve_systems(obj: Incident) -> list[str]:
        return [s.name for s in obj.systems.all()]


class IncidentDetailOut(IncidentOut):
    description: str
    noticed_at: dt.datetime | None
    reporter_contact: str
    scope: str
    source: str
    cancel_reason: str
    merged_into: int | None = Field(None, alias="merged_into_id")
    resolve_override: str
    deadlines: list[DeadlineOut]
    acknowledged_at: dt.datetime | None
    assessed_at: dt.datetime | None
    responding_at: dt.datetime | None
    recovering_at: dt.datetime | None
    resolved_at: dt.datetime | None
    reviewing_at: dt.datetime | None
    closed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    also_at_risk: list[str]
    team: list[dict[str, str]]

    @staticmethod
    def resolve_deadlines(obj: Incident) -> list[dict[str, Any]]:
        return [
            {
                "name": d.name,
                "due": d.due,
                "reached": d.reached,
                "missed": d.missed,
                "seconds_left": d.seconds_left,
            }
            for d in deadlines(obj)
        ]

    @staticmethod
    def resolve_also_at_risk(obj: Incident) -> list[str]:
        from warroom.catalog.models import System
        from warroom.catalog.queries import dependents_of

        ids = dependents_of(s.pk for s in obj.systems.all())
        return list(
            System.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True)
        )

    @staticmethod
    def resolve_team(obj: Incident) -> list[dict[str, str]]:
        return [
            {"person": p.user.get_username(), "role": p.role}
            for p in obj.participants.select_related("user")
        ]


class ReportIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    noticed_at: dt.datetime | None = None
    systems: list[str] = []
    category: str = ""
    contact: str = ""
    restricted: bool = False


class ReasonIn(Schema):
    reason: str = ""


class AssessIn(Schema):
    level: str
    category: str
    systems: list[str] | None = None
    scope: str = ""
    restricted: bool | None = None


class MemberIO(Schema):
    person: str
    role: str


class ProposalOut(Schema):
    role: str
    person: str
    backup: str | None


class TeamIn(Schema):
    members: list[MemberIO]


class OrderIn(Schema):
    text: str = Field(min_length=1)
    to_role: str = ""
    to_person: str | None = None
    due_at: dt.datetime | None = None


class OrderOut(Schema):
    id: int
    text: str
    to_role: str
    to_person: str | None
    issued_by: str | None
    issued_at: dt.datetime
    due_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None

    @staticmethod
    def resolve_to_person(obj: Any) -> str | None:
        return _username(obj.to_person)

    @staticmethod
    def resolve_issued_by(obj: Any) -> str | None:
        return _username(obj.issued_by)

    @staticmethod
    def resolve_acknowledged_by(obj: Any) -> str | None:
        return _username(obj.acknowledged_by)


class CheckItemOut(Schema):
    id: int
    title_en: str
    title_zh: str
    done: bool
    done_by: str | None

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return obj.done_at is not None

    @staticmethod
    def resolve_done_by(obj: Any) -> str | None:
        return _username(obj.done_by)


class TaskOut(Schema):
    id: int
    code: str
    phase: str
    department: str
    title_en: str
    title_zh: str
    status: str
    assignee: str | None
    due_at: dt.datetime | None
    notes: str
    checklist: list[CheckItemOut]

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return _username(obj.assignee)

    @staticmethod
    def resolve_checklist(obj: Any) -> list[Any]:
        return list(obj.checklist.all())


class TaskPatch(Schema):
    status: str | None = None
    assignee: str | None = None
    notes: str | None = None


class CheckIn(Schema):
    done: bool = True


class RestoreIn(Schema):
    system: str
    backup_ref: str = Field(min_length=1)
    verified: bool
    notes: str = ""


class LeakIn(Schema):
    data_kinds: str
    records_affected: int | None = Field(None, ge=0)
    hole: str = ""
    hole_closed_at: dt.datetime | None = None


class LegalIn(Schema):
    notify_authorities: bool
    notify_users: bool
    reasoning: str = Field(min_length=1)


class LeakOut(Schema):
    data_kinds: str
    records_affected: int | None
    hole: str
    hole_closed_at: dt.datetime | None
    notify_authorities: bool | None
    notify_users: bool | None
    legal_reasoning: str
    decided_at: dt.datetime | None


class UserUpdateIn(Schema):
    text: str = Field(min_length=1)
    eta: dt.datetime | None = None


class AllocationIn(Schema):
    resource: str


class AllocationOut(Schema):
    id: int
    resource: str = Field(alias="resource.name")
    allocated_at: dt.datetime
    released_at: dt.datetime | None


class OutsideHelpIn(Schema):
    contact: str
    asked: str = Field(min_length=1)


class OutcomeIn(Schema):
    outcome: str = Field(min_length=1)


class OutsideHelpOut(Schema):
    id: int
    contact: str = Field(alias="contact.name")
    asked: str
    requested_at: dt.datetime
    outcome: str
    outcome_at: dt.datetime | None


class RecoveryItemOut(Schema):
    id: int
    code: str
    department: str
    title_en: str
    title_zh: str
    system: str | None
    signed_by: str | None
    signed_at: dt.datetime | None

    @staticmethod
    def resolve_system(obj: Any) -> str | None:
        return obj.system.name if obj.system else None

    @staticmethod
    def resolve_signed_by(obj: Any) -> str | None:
        return _username(obj.signed_by)


class SignIn(Schema):
    notes: str = ""


class ResolveIn(Schema):
    override_reason: str = ""


class CancelIn(Schema):
    reason: str = Field(min_length=1)
    merged_into: int | None = None


def action_item_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "owner": _username(a.owner),
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "status": a.status,
        "plan_change": a.plan_change_id,
    }


class ReportOut(Schema):
    what_happened: str
    what_was_done: str
    lessons: str
    impact: str
    root_cause: str
    went_well: str
    went_badly: str
    state: str
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    timings: list[dict[str, Any]]
    action_items: list[dict[str, Any]]

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _username(obj.approved_by)

    @staticmethod
    def resolve_action_items(obj: Any) -> list[dict[str, Any]]:
        return [action_item_out(a) for a in obj.incident.action_items.select_related("owner")]


class ReportPatch(Schema):
    what_happened: str | None = None
    what_was_done: str | None = None
    lessons: str | None = None
    impact: str | None = None
    root_cause: str | None = None
    went_well: str | None = None
    went_badly: str | None = None


class ActionItemIn(Schema):
    title: str = Field(min_length=1)
    owner: str | None = None
    due_date: dt.date | None = None
    plan_change: int | None = Field(None, description="id of the plan revision it asks for")


class ActionStatusIn(Schema):
    """Any of: the status; the owner (username), due date or plan change (null clears)."""

    status: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    plan_change: int | None = None


class TimelineOut(Schema):
    seq: int
    kind: str
    actor: str | None
    at: dt.datetime
    data: dict[str, Any]
    hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return _username(obj.actor)
