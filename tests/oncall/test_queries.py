"""Who is on call and the final shifts, from schedules stored in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from warroom.oncall import queries, services
from warroom.oncall.models import Schedule

from .conftest import utc

pytestmark = pytest.mark.django_db

MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Any]


def rows(shifts: list[queries.Shift]) -> list[tuple[str, dt.datetime, dt.datetime, str]]:
    return [(s.user.username, s.start, s.end, s.source) for s in shifts]


def test_daily_layer_in_shanghai(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann, bob])
    assert rows(queries.shifts(schedule, utc(2026, 3, 27), utc(2026, 3, 30))) == [
        ("ann", utc(2026, 3, 27, 1), utc(2026, 3, 28, 1), "layer"),
        ("bob", utc(2026, 3, 28, 1), utc(2026, 3, 29, 1), "layer"),
        ("ann", utc(2026, 3, 29, 1), utc(2026, 3, 30, 0), "layer"),  # cut at the window's end
    ]
    assert queries.on_call(schedule, utc(2026, 3, 27, 0, 59)) == []
    assert queries.on_call(schedule, utc(2026, 3, 28, 1)) == [bob]


def test_weekly_layer_in_berlin_across_the_spring_change(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule(time_zone="Europe/Berlin")
    add_layer(schedule, [ann, bob], rotation="weekly", start=dt.date(2026, 3, 23))
    assert rows(queries.shifts(schedule, utc(2026, 3, 23), utc(2026, 4, 7))) == [
        ("ann", utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), "layer"),  # 167 h
        ("bob", utc(2026, 3, 30, 7), utc(2026, 4, 6, 7), "layer"),
        ("ann", utc(2026, 4, 6, 7), utc(2026, 4, 7), "layer"),
    ]


def test_override_beats_every_layer(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User, cy: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann], name="base")
    add_layer(schedule, [bob], name="top", rotation="custom", shift_length=4, handoff=dt.time(0))
    services.create_override(
        schedule, user=cy, starts_at=utc(2026, 3, 28, 2), ends_at=utc(2026, 3, 28, 3), reason="swap"
    )
    assert queries.on_call(schedule, utc(2026, 3, 28, 2, 30)) == [cy]
    assert queries.on_call(schedule, utc(2026, 3, 28, 3)) == [bob]
    shifts = queries.shifts(schedule, utc(2026, 3, 28, 0), utc(2026, 3, 28, 6))
    assert rows(shifts) == [
        ("bob", utc(2026, 3, 28, 0), utc(2026, 3, 28, 2), "layer"),
        ("cy", utc(2026, 3, 28, 2), utc(2026, 3, 28, 3), "override"),
        ("bob", utc(2026, 3, 28, 3), utc(2026, 3, 28, 4), "layer"),
        ("bob", utc(2026, 3, 28, 4), utc(2026, 3, 28, 6), "layer"),
    ]
    assert [s.label for s in shifts] == ["top", "swap", "top", "top"]


def test_higher_layer_beats_lower_only_where_it_has_someone(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann], name="base", rotation="weekly", start=dt.date(2026, 3, 23))
    # The top layer starts later: before its first handoff the base layer is on call.
    add_layer(schedule, [bob], name="nights", start=dt.date(2026, 3, 28), handoff=dt.time(18))
    assert queries.on_call(schedule, utc(2026, 3, 28, 9)) == [ann]  # 17:00 Shanghai
    assert queries.on_call(schedule, utc(2026, 3, 28, 10)) == [bob]
    assert rows(queries.shifts(schedule, utc(2026, 3, 28), utc(2026, 3, 29))) == [
        ("ann", utc(2026, 3, 28), utc(2026, 3, 28, 10), "layer"),
        ("bob", utc(2026, 3, 28, 10), utc(2026, 3, 29), "layer"),
    ]


def test_a_layer_without_members_lets_the_lower_one_through(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann], name="base")
    add_layer(schedule, [], name="empty top")
    assert queries.on_call(schedule, utc(2026, 4, 1)) == [ann]


def test_status_says_until_when_and_who_is_next(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule(time_zone="Europe/Berlin")
    add_layer(schedule, [ann, bob], start=dt.date(2026, 3, 27))
    status = queries.status(schedule, utc(2026, 3, 28, 12))
    assert (status.users, status.until, status.next_users) == ([bob], utc(2026, 3, 29, 7), [ann])


def test_status_before_anyone_is_on(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann], start=dt.date(2026, 3, 27))
    status = queries.status(schedule, utc(2026, 3, 20))
    assert (status.users, status.until, status.next_users) == ([], utc(2026, 3, 27, 1), [ann])
    empty = queries.status(make_schedule(name="Empty"), utc(2026, 3, 20))
    assert (empty.users, empty.until, empty.next_users) == ([], None, [])


def test_naive_times_are_read_in_the_server_zone(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule(time_zone="Europe/Berlin")
    add_layer(schedule, [ann, bob], start=dt.date(2026, 3, 27))
    # 2026-03-28 15:30 in Shanghai (the server zone) is 07:30 UTC, 08:30 in Berlin: ann.
    assert queries.on_call(schedule, dt.datetime(2026, 3, 28, 15, 30)) == [ann]


def test_on_call_now_everywhere_in_constant_queries(
    make_schedule: MakeSchedule,
    add_layer: AddLayer,
    ann: User,
    bob: User,
    django_assert_num_queries: Any,
) -> None:
    for index in range(5):
        schedule = make_schedule(name=f"S{index}")
        add_layer(schedule, [ann, bob], name="a")
        add_layer(schedule, [bob], name="b", start=dt.date(2026, 5, 1))
        services.create_override(
            schedule, user=ann, starts_at=utc(2026, 4, 1), ends_at=utc(2026, 4, 2)
        )
    with django_assert_num_queries(4):
        result = queries.on_call_now_everywhere(utc(2026, 4, 1, 12))
    assert [(r.schedule.name, r.users, r.until) for r in result] == [
        (f"S{i}", [ann], utc(2026, 4, 2)) for i in range(5)
    ]


def test_person_shifts_across_schedules(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    one, two = make_schedule(name="One"), make_schedule(name="Two", time_zone="Europe/Berlin")
    add_layer(one, [ann, bob])
    add_layer(two, [bob, ann])
    mine = queries.person_shifts(ann, utc(2026, 3, 27), utc(2026, 3, 29))
    assert [(s.schedule.name, s.start, s.end) for s in mine] == [
        ("One", utc(2026, 3, 27, 1), utc(2026, 3, 28, 1)),
        ("Two", utc(2026, 3, 28, 8), utc(2026, 3, 29)),
    ]


def test_handoffs_skip_a_person_already_on(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann])  # alone: hands over to herself every day
    first = queries.handoffs_between(
        utc(2026, 3, 27, 0), utc(2026, 3, 27, 2), lookback=dt.timedelta(days=2)
    )
    assert [(s.user, s.start) for s in first] == [(ann, utc(2026, 3, 27, 1))]
    assert (
        queries.handoffs_between(
            utc(2026, 3, 28, 0), utc(2026, 3, 28, 2), lookback=dt.timedelta(days=2)
        )
        == []
    )


def test_whole_shifts_keep_the_real_start_of_the_running_shift(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule()
    add_layer(schedule, [ann, bob])
    assert rows(queries.whole_shifts(schedule, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))) == [
        ("bob", utc(2026, 3, 28, 1), utc(2026, 3, 29, 1), "layer"),
        ("ann", utc(2026, 3, 29, 1), utc(2026, 3, 29, 12), "layer"),
    ]
