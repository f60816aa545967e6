"""`warroom drill list | plan | start ID | finish ID`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.drills.conftest import MakeDrill
from warroom.drills.models import Drill

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("drill", *args, stdout=out)
    return out.getvalue()


def test_plan_shows_and_then_makes_the_next_drills(commander: User) -> None:
    shown = _run("plan", "--from", "2027-01-04", "--count", "2", "--dry-run")
    assert shown == "2027-01-04\tdb_crash_drill\n2027-04-04\tdata_leak_drill\n"
    assert Drill.objects.count() == 0

    made = _run("--user", "chen", "plan", "--from", "2027-01-04", "--count", "2")

    first, second = Drill.objects.order_by("scheduled_for")
    assert made == (
        f"DRILL-{first.pk}\t2027-01-04\tdb_crash_drill\nDRILL-{second.pk}\t2027-04-04\tdata_leak_drill\n"
    )


def test_start_finish_and_list(commander: User, make_drill: MakeDrill) -> None:
    drill = make_drill(commander, scheduled_for=dt.date(2027, 1, 4))

    assert (
        _run("--user", "chen", "start", str(drill.pk)) == f"DRILL-{drill.pk}\trunning\t1 injects\n"
    )
    assert _run("--user", "chen", "finish", str(drill.pk)) == f"DRILL-{drill.pk}\tfinished\t-\n"
    listed = json.loads(_run("list", "--json"))
    assert listed["drills"] == [
        {
            "id": drill.pk,
            "scheduled_for": "2027-01-04",
            "status": "finished",
            "scenario": "db_crash_drill",
            "title": "Database crash drill",
            "percent": None,
        }
    ]


def test_others_may_not_start_a_drill(
    commander: User, outsider: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)

    with pytest.raises(CommandError) as caught:
        _run("--user", "oscar", "start", str(drill.pk))

    assert "only the commander, the deputy or an administrator" in str(caught.value)
    assert Drill.objects.get(pk=drill.pk).status == "planned"
    with pytest.raises(CommandError, match="--user"):
        _run("start", str(drill.pk))
