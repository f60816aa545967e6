"""Writes of schedules, layers and overrides: what they refuse, naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from warroom.lib.errors import Conflict, DomainError
from warroom.oncall import services
from warroom.oncall.models import Layer, Override, PersonFeed, Schedule

from .conftest import utc

pytestmark = pytest.mark.django_db

MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Layer]


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.field, info.value.message


def test_create_schedule_defaults_to_the_server_zone(plan: Any) -> None:
    schedule = services.create_schedule(name=" Database ")
    assert (schedule.name, schedule.time_zone) == ("Database", "Asia/Shanghai")
    assert len(schedule.feed_token) == 43


def test_schedule_time_zone_must_be_an_iana_name(plan: Any) -> None:
    assert error_of(lambda: services.create_schedule(name="x", time_zone="CEST")) == (
        "time_zone",
        "unknown time zone 'CEST'; use an IANA name such as Asia/Shanghai",
    )
    assert error_of(lambda: services.create_schedule(name="x", time_zone="../../etc/passwd"))[
        0
    ] == ("time_zone")
    assert Schedule.objects.count() == 0


def test_schedule_name_is_unique(make_schedule: MakeSchedule) -> None:
    make_schedule(name="Primary")
    with pytest.raises(Conflict) as info:
        make_schedule(name="Primary")
    assert (info.value.field, info.value.message) == (
        "name",
        "a schedule named 'Primary' already exists",
    )


def test_update_schedule_refuses_unknown_fields(make_schedule: MakeSchedule) -> None:
    schedule = make_schedule()
    assert error_of(lambda: services.update_schedule(schedule, feed_token="x")) == (
        "feed_token",
        "unknown field",
    )


def test_rotate_schedule_feed(make_schedule: MakeSchedule) -> None:
    schedule = make_schedule()
    old = schedule.feed_token
    services.rotate_schedule_feed(schedule)
    schedule.refresh_from_db()
    assert schedule.feed_token != old and len(schedule.feed_token) == 43


def test_layer_members_keep_their_order(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User, cy: User
) -> None:
    layer = add_layer(make_schedule(), [cy, ann, bob, ann])
    assert [m.user.username for m in layer.members.order_by("position")] == [
        "cy",
        "ann",
        "bob",
        "ann",
    ]
    services.update_layer(layer, members=[bob])
    assert [m.user.username for m in layer.members.all()] == ["bob"]


def test_layers_go_on_top_by_default(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    schedule = make_schedule()
    first, second = add_layer(schedule, [ann]), add_layer(schedule, [ann])
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(Conflict) as info:
        add_layer(schedule, [ann], position=2)
    assert (info.value.field, info.value.message) == (
        "position",
        "the schedule has a layer at position 2",
    )


def test_custom_rotation_needs_a_shift_length(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    schedule = make_schedule()
    assert error_of(lambda: add_layer(schedule, [ann], rotation="custom")) == (
        "shift_length",
        "a custom rotation needs a shift length in hours",
    )
    assert error_of(lambda: add_layer(schedule, [ann], rotation="daily", shift_length=8)) == (
        "shift_length",
        "only a custom rotation has a shift length",
    )
    assert error_of(lambda: add_layer(schedule, [ann], rotation="hourly")) == (
        "rotation",
        "must be one of daily, weekly, custom",
    )
    assert Layer.objects.count() == 0


def test_update_layer_that_fails_keeps_the_stored_layer(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    layer = add_layer(make_schedule(), [ann])
    assert error_of(lambda: services.update_layer(layer, rotation="custom"))[0] == "shift_length"
    layer.refresh_from_db()
    assert (layer.rotation, layer.shift_length) == ("daily", None)


def test_resolve_people_names_the_unknown_one(ann: User) -> None:
    assert services.resolve_people(["ann"]) == [ann]
    assert error_of(lambda: services.resolve_people(["ann", "nobody"])) == (
        "members[1]",
        "unknown person 'nobody'",
    )


def test_deactivated_people_cannot_be_on_call(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    ann.is_active = False
    ann.save()
    assert error_of(lambda: add_layer(make_schedule(), [ann])) == (
        "members[0]",
        "'ann' is deactivated",
    )


def test_override_must_end_after_it_starts(make_schedule: MakeSchedule, ann: User) -> None:
    schedule = make_schedule()
    assert error_of(
        lambda: services.create_override(
            schedule, user=ann, starts_at=utc(2026, 4, 1, 10), ends_at=utc(2026, 4, 1, 10)
        )
    ) == ("ends_at", "must be after the start")
    assert Override.objects.count() == 0


def test_override_reads_naive_times_in_the_server_zone(
    make_schedule: MakeSchedule, ann: User, commander: User
) -> None:
    override = services.create_override(
        make_schedule(),
        user=ann,
        starts_at=dt.datetime(2026, 4, 1, 9),
        ends_at=dt.datetime(2026, 4, 1, 18),
        reason="  dentist swap ",
        created_by=commander,
    )
    override.refresh_from_db()
    assert (override.starts_at, override.ends_at, override.reason, override.created_by) == (
        utc(2026, 4, 1, 1),
        utc(2026, 4, 1, 10),
        "dentist swap",
        commander,
    )


def test_person_feed_is_made_once_and_rotates(ann: User) -> None:
    feed = services.person_feed(ann)
    assert services.person_feed(ann).token == feed.token
    rotated = services.rotate_person_feed(ann)
    assert rotated.token != feed.token
    assert PersonFeed.objects.get(user=ann).token == rotated.token
