"""Scoring a finished drill against the plan's targets, on a hand-made drill incident with
exact times.

The database-crash scenario is at level high: acknowledge 5 min, assess 15 min, mitigate 1 h,
resolve 4 h. The incident below was acknowledged after 2 min (met) by the operations rep,
assessed after 20 min (missed) by the commander — correctly, high and system failure — and
mitigated after 50 min (met) by the commander; it was never resolved (missed). Of the
playbook's six tasks one is "not needed" and does not count; two of the other five were done
on time. So: milestones 2 of 4, assessment 2 of 2, tasks 2 of 5 = 6 of 11 points, 54.5 %.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.drills.conftest import MakeDrill
from warroom.drills import services
from warroom.drills.models import Inject
from warroom.incidents import services as incidents
from warroom.incidents.models import Incident, Task

pytestmark = pytest.mark.django_db


def at(t0: dt.datetime, seconds: int) -> dt.datetime:
    return t0 + dt.timedelta(seconds=seconds)


def test_a_drill_is_scored_against_the_targets_per_role_and_department(
    commander: User, ops_rep: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)
    services.start_drill(drill, actor=commander)  # on_commit not run: the inject is not sent
    [inject] = drill.injects.all()
    incident = incidents.report_incident(
        reporter=None, title="Database crash drill", source="drill", drill=True
    )
    Inject.objects.filter(pk=inject.pk).update(incident=incident, done_at=timezone.now())
    incidents.acknowledge_incident(incident, actor=ops_rep)
    incidents.assess_incident(incident, actor=commander, level="high", category="system_failure")
    incidents.start_response(incident, actor=commander)
    incidents.start_recovery(incident, actor=commander)

    t0 = timezone.now() - dt.timedelta(hours=2)
    Incident.objects.filter(pk=incident.pk).update(
        reported_at=t0,
        acknowledged_at=at(t0, 120),
        assessed_at=at(t0, 1200),
        responding_at=at(t0, 1300),
        recovering_at=at(t0, 3000),
    )
    tasks = Task.objects.filter(incident=incident)
    tasks.update(due_at=at(t0, 3600))
    tasks.filter(code="troubleshoot").update(status="done", completed_at=at(t0, 1900))
    tasks.filter(code="fix_defect").update(status="done", completed_at=at(t0, 4000))
    tasks.filter(code="spare_hardware").update(status="skipped")
    tasks.filter(code="user_communication").update(status="done", completed_at=at(t0, 2500))
    tasks.filter(code="full_system_check").update(due_at=at(t0, 14400))

    finished = services.finish_drill(drill, actor=commander)

    score = finished.score
    assert score is not None
    assert (score["points"], score["percent"]) == ({"earned": 6, "possible": 11}, 54.5)
    assert (score["level"], score["category"], score["injects"]) == (
        "high",
        "system_failure",
        {"total": 1, "opened_incidents": 1},
    )
    [row] = score["incidents"]
    assert row["targets"] == {
        "acknowledge": 300,
        "assess": 900,
        "mitigate": 3600,
        "resolve": 14400,
        "user_update_every": 1800,
    }
    assert [
        (m["name"], m["target_seconds"], m["seconds"], m["met"], m["by"], m["roles"])
        for m in row["milestones"]
    ] == [
        ("acknowledge", 300, 120, True, "olga", ["operations_rep"]),
        ("assess", 900, 1200, False, "chen", ["commander"]),
        ("mitigate", 3600, 3000, True, "chen", ["commander"]),
        ("resolve", 14400, None, False, "", []),
    ]
    assert row["assessment"] == {
        "expected_level": "high",
        "level": "high",
        "level_correct": True,
        "expected_category": "system_failure",
        "category": "system_failure",
        "category_correct": True,
    }
    assert [
        (t["code"], t["department"], t["status"], t["seconds"], t["margin_seconds"], t["met"])
        for t in row["tasks"]
    ] == [
        ("troubleshoot", "it", "done", 600, 1700, True),
        ("fix_defect", "development", "done", 2700, -400, False),
        ("restore_backup", "it", "open", None, None, False),
        ("spare_hardware", "it", "skipped", None, None, False),
        ("user_communication", "customer_service", "done", 1200, 1100, True),
        ("full_system_check", "operations", "open", None, None, False),
    ]
    assert row["points"] == {"earned": 6, "possible": 11}
    assert score["roles"] == [
        {"role": "commander", "milestones": 2, "met": 1},
        {"role": "operations_rep", "milestones": 1, "met": 1},
    ]
    assert score["departments"] == [
        {
            "department": "customer_service",
            "tasks": 1,
            "done": 1,
            "on_time": 1,
            "slowest_seconds": 1200,
        },
        {"department": "development", "tasks": 1, "done": 1, "on_time": 0, "slowest_seconds": 2700},
        {"department": "it", "tasks": 2, "done": 1, "on_time": 1, "slowest_seconds": 600},
        {"department": "operations", "tasks": 1, "done": 0, "on_time": 0, "slowest_seconds": None},
    ]
    # Finishing ends the drill's incidents: a finished drill pages nobody more.
    incident.refresh_from_db()
    assert (incident.status, incident.cancel_reason) == ("cancelled", "drill finished")


def test_a_drill_that_opened_nothing_has_no_percentage(
    commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)
    services.start_drill(drill, actor=commander)

    finished = services.finish_drill(drill, actor=commander)

    assert finished.score is not None
    assert (finished.score["points"], finished.score["percent"]) == (
        {"earned": 0, "possible": 0},
        None,
    )
    assert finished.score["incidents"] == []


def test_a_wrong_assessment_costs_its_points_but_not_the_targets(
    commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander, "ddos_drill")  # network attack, medium
    services.start_drill(drill, actor=commander)
    [inject] = drill.injects.all()
    incident = incidents.report_incident(reporter=None, title="DDoS drill", drill=True)
    Inject.objects.filter(pk=inject.pk).update(incident=incident)
    incidents.assess_incident(incident, actor=commander, level="low", category="system_failure")
    t0 = timezone.now() - dt.timedelta(hours=30)
    Incident.objects.filter(pk=incident.pk).update(
        reported_at=t0, acknowledged_at=at(t0, 60), assessed_at=at(t0, 3000)
    )

    score = services.finish_drill(drill, actor=commander).score

    assert score is not None
    [row] = score["incidents"]
    # Medium's targets (15 min, 1 h, ...), not the low level the team chose.
    assert [(m["name"], m["target_seconds"], m["met"]) for m in row["milestones"]] == [
        ("acknowledge", 900, True),
        ("assess", 3600, True),
        ("mitigate", 14400, False),
        ("resolve", 86400, False),
    ]
    assert (row["assessment"]["level_correct"], row["assessment"]["category_correct"]) == (
        False,
        False,
    )
    assert (score["points"], score["percent"]) == ({"earned": 2, "possible": 6}, 33.3)
