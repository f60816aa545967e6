"""The drill calendar: dates by the plan's cadence (every 90 days in the default plan),
scenarios taking turns, and the two ways a drill becomes overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.drills.conftest import MakeDrill
from warroom.drills import queries, services
from warroom.drills.models import Drill, Inject
from warroom.lib.errors import DomainError
from warroom.plan.models import PlanVersion

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 5)


def test_plan_drills_proposes_dates_by_the_cadence_and_rotates_scenarios(plan: Any) -> None:
    proposals = queries.plan_drills(DAY, 5)

    assert [(p.scheduled_for, p.scenario.code) for p in proposals] == [
        (dt.date(2026, 1, 5), "db_crash_drill"),
        (dt.date(2026, 4, 5), "data_leak_drill"),
        (dt.date(2026, 7, 4), "ddos_drill"),
        (dt.date(2026, 10, 2), "misconfig_drill"),
        (dt.date(2026, 12, 31), "db_crash_drill"),
    ]


def test_plan_drills_goes_on_after_the_latest_drill_on_the_calendar(
    commander: User, make_drill: MakeDrill
) -> None:
    make_drill(commander, "ddos_drill", scheduled_for=DAY)
    cancelled = make_drill(commander, "misconfig_drill", scheduled_for=DAY + dt.timedelta(days=1))
    services.cancel_drill(cancelled, actor=commander)

    proposals = queries.plan_drills(DAY, 2)

    assert [p.scenario.code for p in proposals] == ["misconfig_drill", "db_crash_drill"]


def test_plan_drills_refuses_a_count_out_of_range(plan: Any) -> None:
    with pytest.raises(DomainError) as caught:
        queries.plan_drills(DAY, 0)
    assert caught.value.field == "count"


def test_schedule_drills_creates_planned_drills_with_the_default_inject(commander: User) -> None:
    made = services.schedule_drills(actor=commander, from_date=DAY, count=2)

    assert [(d.scheduled_for, d.scenario, d.status) for d in made] == [
        (dt.date(2026, 1, 5), "db_crash_drill", "planned"),
        (dt.date(2026, 4, 5), "data_leak_drill", "planned"),
    ]
    injects = list(
        Inject.objects.filter(drill=made[1]).values_list(
            "offset_seconds", "kind", "title", "category", "level"
        )
    )
    assert injects == [(0, "alert", "Data leak drill", "data_leak", "high")]
    assert made[0].plan_version.number == 1
    assert made[0].display_title == "Database crash drill"


def test_the_cadence_is_due_90_days_after_the_plan_came_into_force(plan: Any) -> None:
    applied = timezone.localdate(plan.created_at)

    assert queries.next_due_date() == applied + dt.timedelta(days=90)
    assert queries.overdue_drills(applied + dt.timedelta(days=90)) == []
    [late] = queries.overdue_drills(applied + dt.timedelta(days=93))
    assert (late.kind, late.due, late.days_late, late.drill) == (
        "cadence",
        applied + dt.timedelta(days=90),
        3,
        None,
    )


def test_the_cadence_counts_from_the_last_finished_drill(
    commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)
    services.start_drill(drill, actor=commander)
    services.finish_drill(drill, actor=commander)
    finished = timezone.now() - dt.timedelta(days=100)
    Drill.objects.filter(pk=drill.pk).update(finished_at=finished)
    PlanVersion.objects.update(created_at=finished - dt.timedelta(days=50))
    today = timezone.localdate()

    [late] = queries.overdue_drills(today)

    assert (late.kind, late.days_late) == ("cadence", 10)
    assert late.due == timezone.localdate(finished) + dt.timedelta(days=90)


def test_a_running_drill_holds_off_the_cadence_flag(commander: User, make_drill: MakeDrill) -> None:
    drill = make_drill(commander)
    later = timezone.localdate() + dt.timedelta(days=200)
    assert [o.kind for o in queries.overdue_drills(later)] == ["cadence", "date"]

    services.start_drill(drill, actor=commander)

    assert queries.overdue_drills(later) == []


def test_a_planned_drill_whose_day_passed_is_overdue(
    commander: User, make_drill: MakeDrill
) -> None:
    today = timezone.localdate()
    missed = make_drill(commander, scheduled_for=today - dt.timedelta(days=2))
    make_drill(commander, scheduled_for=today)  # today is not late yet
    done = make_drill(commander, scheduled_for=today - dt.timedelta(days=5))
    services.cancel_drill(done, actor=commander)

    overdue = queries.overdue_drills(today)

    assert [(o.kind, o.drill, o.days_late) for o in overdue] == [("date", missed, 2)]
