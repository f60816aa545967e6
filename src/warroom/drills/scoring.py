"""Scoring a drill against the plan's targets, per role and per department.

The yardstick is the scenario's impact level (an inject's own level when it names one): its
targets say how long acknowledging, assessing, mitigating and resolving may take from the
report. What the team assessed is scored separately, so that under-rating a drill's severity
does not buy it laxer targets.

Points, one each:
- every milestone of every drill incident reached within its target (acknowledged,
  assessed, mitigated = entered recovery, resolved); one never reached is missed;
- the assessed impact level and the assessed risk category, when they are the expected ones;
- every playbook task done by its due time (tasks marked "not needed" do not count).
`percent` is earned / possible × 100, rounded to one decimal; None when the drill opened no
incident (there was nothing to score).

Milestones are credited to the roles of the person who reached them (their roles on the
incident, else their roles in the plan's team; "warroom" when no person did), tasks to their
departments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from warroom.drills.models import Drill, Inject
from warroom.incidents.models import Incident, Participant, Task, TimelineEvent
from warroom.incidents.models.response import TaskStatus
from warroom.people.models import TeamMembership
from warroom.plan.queries import plan_of

SCORE_VERSION = 1
# name, the incident's time field, the status that stamps it
MILESTONES = (
    ("acknowledge", "acknowledged_at", "acknowledged"),
    ("assess", "assessed_at", "assessed"),
    ("mitigate", "recovering_at", "recovering"),
    ("resolve", "resolved_at", "resolved"),
)
SYSTEM_ACTOR = "warroom"


def score_drill(drill: Drill) -> dict[str, Any]:
    """The drill's score (the shape is documented by the keys below; times in seconds)."""
    plan = plan_of(drill.plan_version)
    scenario = next((s for s in plan.evaluation.drills.scenarios if s.code == drill.scenario), None)
    injects = list(drill.injects.exclude(incident=None).order_by("offset_seconds", "id"))
    first_inject: dict[int, Inject] = {}
    for inject in injects:
        assert inject.incident_id is not None
        first_inject.setdefault(inject.incident_id, inject)
    incidents = list(
        Incident.objects.filter(pk__in=list(first_inject), is_drill=True)
        .select_related("plan_version")
        .order_by("reported_at", "pk")
    )
    actors = _milestone_actors(incidents)
    roles = _roles_by_person(incidents, {a for by in actors.values() for a in by.values() if a})
    rows = []
    for incident in incidents:
        inject = first_inject[incident.pk]
        level = inject.level or (scenario.level if scenario else "") or incident.level
        category = inject.category or (scenario.category if scenario else "")
        rows.append(
            _score_incident(
                incident,
                level=level,
                category=category,
                actors=actors.get(incident.pk, {}),
                roles=roles,
            )
        )
    earned = sum(row["points"]["earned"] for row in rows)
    possible = sum(row["points"]["possible"] for row in rows)
    total_injects = drill.injects.count()
    return {
        "version": SCORE_VERSION,
        "computed_at": timezone.now().isoformat(),
        "scenario": drill.scenario,
        "level": scenario.level if scenario else "",
        "category": scenario.category if scenario else "",
        "injects": {"total": total_injects, "opened_incidents": len(injects)},
        "incidents": rows,
        "roles": _by_role(rows),
        "departments": _by_department(rows),
        "points": {"earned": earned, "possible": possible},
        "percent": round(100 * earned / possible, 1) if possible else None,
    }


def _score_incident(
    incident: Incident,
    *,
    level: str,
    category: str,
    actors: dict[str, int | None],
    roles: dict[tuple[int, int], list[str]],
) -> dict[str, Any]:
    plan = plan_of(incident.plan_version)
    chosen = plan.level(level)
    targets = chosen.targets.seconds() if chosen else {}
    start = incident.reported_at
    milestones: list[dict[str, Any]] = []
    met_count = 0
    for name, field, _status in MILESTONES:
        reached: dt.datetime | None = getattr(incident, field)
        seconds = _seconds(start, reached)
        target = targets.get(name)
        actor = actors.get(name)
        met = seconds is not None and target is not None and seconds <= target
        met_count += met
        if reached is None:
            by, by_roles = "", []
        elif actor is None:
            by, by_roles = SYSTEM_ACTOR, [SYSTEM_ACTOR]
        else:
            by, by_roles = _username(actor), roles.get((incident.pk, actor), [])
        milestones.append(
            {
                "name": name,
                "target_seconds": target,
                "seconds": seconds,
                "met": met,
                "by": by,
                "roles": by_roles,
            }
        )
    assessed = incident.assessed_at is not None
    level_correct = assessed and incident.level == level
    category_correct = assessed and incident.category == category
    assessment = {
        "expected_level": level,
        "level": incident.level,
        "level_correct": level_correct,
        "expected_category": category,
        "category": incident.category,
        "category_correct": category_correct,
    }
    tasks = [_score_task(task, incident) for task in _tasks(incident)]
    counted = [t for t in tasks if t["status"] != TaskStatus.SKIPPED]
    earned = (
        met_count + int(level_correct) + int(category_correct) + sum(1 for t in counted if t["met"])
    )
    possible = len(milestones) + 2 + len(counted)
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "title": incident.title,
        "reported_at": start.isoformat(),
        "level": level,
        "targets": targets,
        "milestones": milestones,
        "assessment": assessment,
        "tasks": tasks,
        "points": {"earned": earned, "possible": possible},
    }


def _tasks(incident: Incident) -> list[Task]:
    return list(Task.objects.filter(incident=incident).order_by("id"))


def _score_task(task: Task, incident: Incident) -> dict[str, Any]:
    done = task.status == TaskStatus.DONE and task.completed_at is not None
    completed = task.completed_at if done else None
    return {
        "code": task.code,
        "department": task.department,
        "title": task.title_en,
        "title_zh": task.title_zh,
        "status": task.status,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "completed_at": completed.isoformat() if completed else None,
        # From the start of the response (when the playbook handed the task out).
        "seconds": _seconds(incident.responding_at or incident.reported_at, completed),
        # Positive: done that long before it was due; negative: that long late.
        "margin_seconds": _seconds(completed, task.due_at) if completed and task.due_at else None,
        "met": bool(completed and (task.due_at is None or completed <= task.due_at)),
    }


def _milestone_actors(incidents: list[Incident]) -> dict[int, dict[str, int | None]]:
    """Who reached each milestone of each incident: the actor of the first status entry into
    the milestone's state (None: warroom itself)."""
    wanted = {status: name for name, _f, status in MILESTONES}
    found: dict[int, dict[str, int | None]] = defaultdict(dict)
    events = TimelineEvent.objects.filter(
        incident__in=[i.pk for i in incidents], kind="status"
    ).order_by("incident_id", "seq")
    for event in events:
        name = wanted.get(str(event.data.get("to", "")))
        if name and name not in found[event.incident_id]:
            found[event.incident_id][name] = event.actor_id
    return found


def _roles_by_person(
    incidents: list[Incident], people: set[int]
) -> dict[tuple[int, int], list[str]]:
    """(incident, person) → the person's roles on it, else their roles in the plan's team."""
    if not people:
        return {}
    on_incident: dict[tuple[int, int], set[str]] = defaultdict(set)
    for incident_id, user_id, role in Participant.objects.filter(
        incident__in=[i.pk for i in incidents], user_id__in=people
    ).values_list("incident_id", "user_id", "role"):
        if role != "reporter":
            on_incident[(incident_id, user_id)].add(role)
    in_team: dict[int, set[str]] = defaultdict(set)
    for person, backup, code in TeamMembership.objects.filter(role__in_plan=True).values_list(
        "person_id", "backup_id", "role__code"
    ):
        for user_id in (person, backup):
            if user_id in people:
                in_team[user_id].add(code)
    return {
        (incident.pk, user_id): sorted(on_incident.get((incident.pk, user_id)) or in_team[user_id])
        for incident in incidents
        for user_id in people
    }


def _by_role(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"milestones": 0, "met": 0})
    for row in rows:
        for milestone in row["milestones"]:
            if milestone["seconds"] is None:
                continue
            for role in milestone["roles"] or ["-"]:
                table[role]["milestones"] += 1
                table[role]["met"] += int(milestone["met"])
    return [{"role": role, **counts} for role, counts in sorted(table.items())]


def _by_department(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        for task in row["tasks"]:
            if task["status"] == TaskStatus.SKIPPED:
                continue
            entry = table.setdefault(
                task["department"], {"tasks": 0, "done": 0, "on_time": 0, "seconds": []}
            )
            entry["tasks"] += 1
            entry["done"] += int(task["completed_at"] is not None)
            entry["on_time"] += int(task["met"])
            if task["seconds"] is not None:
                entry["seconds"].append(task["seconds"])
    return [
        {
            "department": code,
            "tasks": entry["tasks"],
            "done": entry["done"],
            "on_time": entry["on_time"],
            # The slowest task done: how long the department took to finish its part.
            "slowest_seconds": max(entry["seconds"]) if entry["seconds"] else None,
        }
        for code, entry in sorted(table.items())
    ]


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


def _username(user_id: int) -> str:
    return User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
