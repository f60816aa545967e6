"""`warroom oncall now`: one line per schedule, or JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from warroom.oncall import services
from warroom.oncall.models import Schedule

from .conftest import utc

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("oncall", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def schedules(
    make_schedule: Callable[..., Schedule], add_layer: Callable[..., Any], ann: User, bob: User
) -> list[Schedule]:
    eu = make_schedule(name="EU", time_zone="Europe/Berlin")
    add_layer(eu, [ann, bob], start=dt.date(2026, 3, 27))
    cn = make_schedule(name="China")
    add_layer(cn, [bob], start=dt.date(2026, 3, 27), handoff=dt.time(20, 0))
    services.create_override(
        cn, user=ann, starts_at=utc(2026, 3, 29, 0), ends_at=utc(2026, 3, 29, 8)
    )
    make_schedule(name="Spare")
    return [eu, cn]


def test_now_at_a_time_one_line_per_schedule(schedules: list[Schedule]) -> None:
    assert run("now", "--at", "2026-03-29T08:30:00+02:00") == (
        "China: ann until 2026-03-29 16:00 CST\n"
        "EU: bob until 2026-03-29 09:00 CEST\n"
        "Spare: (nobody) no change within 35 days\n"
    )


def test_now_for_one_schedule_as_json(schedules: list[Schedule]) -> None:
    # No offset: read in the server's zone (Asia/Shanghai), 15:00 = 07:00 UTC.
    data = json.loads(run("now", "--schedule", "EU", "--at", "2026-03-29T15:00", "--json"))
    assert data == [
        {
            "schedule": "EU",
            "time_zone": "Europe/Berlin",
            "at": "2026-03-29T07:00:00+00:00",
            "on_call": ["ann"],
            "until": "2026-03-30T07:00:00+00:00",
            "next": ["bob"],
        }
    ]


def test_unknown_schedule_and_bad_time_exit_1(schedules: list[Schedule]) -> None:
    with pytest.raises(CommandError) as info:
        run("now", "--schedule", "Nope")
    assert (info.value.returncode, str(info.value)) == (1, "--schedule: no schedule named 'Nope'")
    with pytest.raises(CommandError) as info:
        run("now", "--at", "tomorrow")
    assert (info.value.returncode, str(info.value)) == (1, "--at: not an ISO time: 'tomorrow'")
