"""Reads of the drill calendar: the cadence, proposed dates, what is overdue, the list page.

The plan says how often to drill (`evaluation.drills.every`) and which scenarios to drill
(`evaluation.drills.scenarios`, one or more per risk category). A drill is overdue in two ways:
- by cadence: no drill has finished within the cadence since the last one that did (or since
  the plan first came into force, when none has) — while no drill is running;
- by date: a planned drill whose day has passed and that was never started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.drills.models import Drill, Finding
from warroom.lib.errors import DomainError
from warroom.plan.models import PlanVersion
from warroom.plan.queries import NoPlanError, current_plan
from warroom.plan.schema import DrillScenario, Plan, parse_duration

MAX_PROPOSALS = 20
PAST_LIMIT = 20


def cadence(plan: Plan) -> dt.timedelta:
    """How long may pass between two drills, in whole days (at least one)."""
    seconds = parse_duration(plan.evaluation.drills.every)
    return dt.timedelta(days=max(1, round(seconds / 86400)))


def scenario(plan: Plan, code: str) -> DrillScenario | None:
    return next((s for s in plan.evaluation.drills.scenarios if s.code == code), None)


@dataclass(frozen=True)
class ProposedDrill:
    scheduled_for: dt.date
    scenario: DrillScenario


def plan_drills(from_date: dt.date, count: int, *, plan: Plan | None = None) -> list[ProposedDrill]:
    """`count` drills by the plan's cadence: the first on `from_date`, then one each cadence.

    Scenarios take turns in the plan's order, going on after the scenario of the latest drill
    on the calendar (cancelled ones aside), so every risk category gets drilled in turn.
    Raises DomainError when the plan has no scenarios or `count` is not 1 to MAX_PROPOSALS.
    """
    plan = plan or current_plan()
    scenarios = plan.evaluation.drills.scenarios
    if not scenarios:
        raise DomainError("scenario", _("the plan has no drill scenarios"))
    if not 1 <= count <= MAX_PROPOSALS:
        raise DomainError("count", _("a whole number from 1 to %(max)d") % {"max": MAX_PROPOSALS})
    latest = (
        Drill.objects.exclude(status=Drill.Status.CANCELLED)
        .order_by("-scheduled_for", "-id")
        .values_list("scenario", flat=True)
        .first()
    )
    codes = [s.code for s in scenarios]
    start = codes.index(latest) + 1 if latest in codes else 0
    step = cadence(plan)
    return [
        ProposedDrill(from_date + step * i, scenarios[(start + i) % len(scenarios)])
        for i in range(count)
    ]


def last_finished() -> Drill | None:
    return Drill.objects.filter(status=Drill.Status.FINISHED).order_by("-finished_at").first()


def next_due_date(plan: Plan | None = None) -> dt.date | None:
    """The day by which the next drill must have finished: the cadence after the last finished
    drill, or after the plan first came into force. None when no plan is applied."""
    try:
        plan = plan or current_plan()
    except NoPlanError:
        return None
    last = last_finished()
    if last is not None and last.finished_at is not None:
        since = timezone.localdate(last.finished_at)
    else:
        first = PlanVersion.objects.order_by("number").values_list("created_at", flat=True).first()
        if first is None:
            return None
        since = timezone.localdate(first)
    return since + cadence(plan)


@dataclass(frozen=True)
class OverdueDrill:
    """A reason the drill calendar is behind. `drill` is the planned drill whose day passed
    (kind "date"), None for the cadence (kind "cadence")."""

    kind: Literal["cadence", "date"]
    due: dt.date
    days_late: int
    drill: Drill | None = None


def overdue_drills(today: dt.date | None = None) -> list[OverdueDrill]:
    """Everything overdue on `today` (default: the local date): first the cadence, then each
    planned drill whose day has passed, oldest first. Empty when all is on time."""
    return calendar_state(today).overdue


@dataclass(frozen=True)
class CalendarState:
    next_due: dt.date | None
    overdue: list[OverdueDrill]


def calendar_state(today: dt.date | None = None) -> CalendarState:
    """The next due day and what is overdue on `today`, in one pass (the list page)."""
    today = today or timezone.localdate()
    found: list[OverdueDrill] = []
    due = next_due_date()
    running = Drill.objects.filter(status=Drill.Status.RUNNING).exists()
    if due is not None and today > due and not running:
        found.append(OverdueDrill("cadence", due, (today - due).days))
    missed = (
        Drill.objects.filter(status=Drill.Status.PLANNED, scheduled_for__lt=today)
        .select_related("plan_version")
        .order_by("scheduled_for", "id")
    )
    found += [
        OverdueDrill("date", d.scheduled_for, (today - d.scheduled_for).days, d) for d in missed
    ]
    return CalendarState(due, found)


def drills() -> QuerySet[Drill]:
    return Drill.objects.select_related("plan_version", "created_by")


def upcoming() -> QuerySet[Drill]:
    return drills().filter(status=Drill.Status.PLANNED).order_by("scheduled_for", "id")


def running() -> QuerySet[Drill]:
    return drills().filter(status=Drill.Status.RUNNING).order_by("started_at", "id")


def past(limit: int = PAST_LIMIT) -> QuerySet[Drill]:
    return (
        drills()
        .filter(status__in=(Drill.Status.FINISHED, Drill.Status.CANCELLED))
        .order_by("-scheduled_for", "-id")[:limit]
    )


def open_findings() -> QuerySet[Finding]:
    return (
        Finding.objects.filter(status=Finding.Status.OPEN)
        .select_related("drill", "drill__plan_version", "owner")
        .order_by("due_date", "id")
    )


def drill_incidents(drill: Drill) -> list[int]:
    """Ids of the incidents the drill's injects opened (or joined), in inject order."""
    ids = drill.injects.exclude(incident=None).values_list("incident_id", flat=True)
    return list(dict.fromkeys(i for i in ids if i is not None))
