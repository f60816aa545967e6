"""The on-call pages: who is on now, the next 14 days, and the forms of the plan managers.
The commander changes schedules; a department representative and an outsider only read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warroom.oncall import services
from warroom.oncall.models import Layer, Override, PersonFeed, Schedule

pytestmark = pytest.mark.django_db

Login = Callable[[AbstractUser], Client]
MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Layer]


@pytest.fixture
def primary(make_schedule: MakeSchedule, add_layer: AddLayer, ann: User) -> Schedule:
    """ann alone, every day since long ago: she is on call whenever the test runs."""
    schedule = make_schedule(name="Primary", time_zone="Europe/Berlin")
    add_layer(schedule, [ann], name="base", start=dt.date(2026, 1, 1))
    return schedule


def test_list_shows_who_is_on_now(primary: Schedule, outsider: User, login: Login) -> None:
    page = login(outsider).get(reverse("oncall:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td class="on-call">Ann</td>' in html
    assert "Europe/Berlin" in html
    assert reverse("oncall:schedule-create") not in html  # no "New schedule" for outsiders


def test_list_page_queries_do_not_grow_with_schedules(
    make_schedule: MakeSchedule,
    add_layer: AddLayer,
    ann: User,
    bob: User,
    commander: User,
    login: Login,
    django_assert_num_queries: Any,
) -> None:
    client = login(commander)
    client.get(reverse("oncall:list"))  # warm the session and the plan caches
    for index in range(6):
        schedule = make_schedule(name=f"S{index}")
        add_layer(schedule, [ann, bob])
    # Session, user, rights, schedules, layers, members, overrides, own feed.
    with django_assert_num_queries(8):
        page = client.get(reverse("oncall:list"))
    assert page.status_code == 200
    assert page.content.decode().count('<td class="on-call">') == 6
    for index in range(6, 20):
        schedule = make_schedule(name=f"S{index}")
        add_layer(schedule, [ann, bob])
    with django_assert_num_queries(8):
        page = client.get(reverse("oncall:list"))
    assert page.content.decode().count('<td class="on-call">') == 20


def test_detail_shows_shifts_layers_and_overrides(
    primary: Schedule, cy: User, commander: User, login: Login
) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    services.create_override(
        primary, user=cy, starts_at=start, ends_at=start + dt.timedelta(hours=3), reason="swap"
    )
    html = login(commander).get(reverse("oncall:schedule", args=[primary.pk])).content.decode()
    assert "override: swap" in html
    assert "layer base" in html
    assert f"/oncall/feeds/schedule/{primary.feed_token}.ics" in html
    assert reverse("oncall:layer-create", args=[primary.pk]) in html
    assert 'name="starts_at"' in html  # the override form


def test_commander_adds_a_layer_with_the_form(
    primary: Schedule, bob: User, cy: User, commander: User, login: Login
) -> None:
    response = login(commander).post(
        reverse("oncall:layer-create", args=[primary.pk]),
        {
            "name": "nights",
            "rotation": "custom",
            "shift_length": "12",
            "handoff_time": "20:00",
            "starts_at": "2026-03-28",
            "position": "",
            "members": "bob\ncy",
        },
    )
    assert response.status_code == 302
    layer = primary.layers.get(name="nights")
    assert (layer.position, layer.shift_length, layer.handoff_time) == (2, 12, dt.time(20))
    assert [m.user for m in layer.members.all()] == [bob, cy]


def test_layer_form_names_an_unknown_member(
    primary: Schedule, commander: User, login: Login
) -> None:
    response = login(commander).post(
        reverse("oncall:layer-create", args=[primary.pk]),
        {
            "name": "x",
            "rotation": "daily",
            "handoff_time": "09:00",
            "starts_at": "2026-03-28",
            "members": "ann zed",
        },
    )
    assert response.status_code == 200
    assert "unknown person &#x27;zed&#x27;" in response.content.decode()
    assert primary.layers.count() == 1


def test_override_form_reads_times_in_the_schedule_zone(
    primary: Schedule, cy: User, commander: User, login: Login
) -> None:
    response = login(commander).post(
        reverse("oncall:override-create", args=[primary.pk]),
        {
            "user": cy.pk,
            "starts_at": "2026-03-29T08:00",
            "ends_at": "2026-03-29T20:00",
            "reason": "",
        },
    )
    assert response.status_code == 302
    override = Override.objects.get()
    # Berlin summer time (UTC+2) from that morning.
    assert (override.starts_at, override.ends_at, override.created_by) == (
        dt.datetime(2026, 3, 29, 6, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 18, tzinfo=dt.UTC),
        commander,
    )


def test_override_form_refuses_an_end_before_the_start(
    primary: Schedule, cy: User, commander: User, login: Login
) -> None:
    response = login(commander).post(
        reverse("oncall:override-create", args=[primary.pk]),
        {"user": cy.pk, "starts_at": "2026-03-29T08:00", "ends_at": "2026-03-29T07:00"},
    )
    assert response.status_code == 200
    assert "must be after the start" in response.content.decode()
    assert Override.objects.count() == 0


def test_commander_creates_edits_and_deletes_a_schedule(commander: User, login: Login) -> None:
    client = login(commander)
    created = client.post(
        reverse("oncall:schedule-create"),
        {"name": "Network", "time_zone": "America/New_York", "description": ""},
    )
    schedule = Schedule.objects.get(name="Network")
    assert created["Location"] == reverse("oncall:schedule", args=[schedule.pk])
    client.post(
        reverse("oncall:schedule-edit", args=[schedule.pk]),
        {"name": "Network", "time_zone": "Asia/Shanghai", "description": "core"},
    )
    schedule.refresh_from_db()
    assert (schedule.time_zone, schedule.description) == ("Asia/Shanghai", "core")
    client.post(reverse("oncall:schedule-delete", args=[schedule.pk]))
    assert not Schedule.objects.filter(pk=schedule.pk).exists()


def test_outsider_and_representative_cannot_edit(
    primary: Schedule, outsider: User, ops_rep: User, cy: User, login: Login
) -> None:
    layer = primary.layers.get()
    override = services.create_override(
        primary,
        user=cy,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    token = primary.feed_token
    for person in (outsider, ops_rep):
        client = login(person)
        gets = [
            reverse("oncall:schedule-create"),
            reverse("oncall:schedule-edit", args=[primary.pk]),
            reverse("oncall:schedule-delete", args=[primary.pk]),
            reverse("oncall:layer-create", args=[primary.pk]),
            reverse("oncall:layer-edit", args=[primary.pk, layer.pk]),
            reverse("oncall:layer-delete", args=[primary.pk, layer.pk]),
            reverse("oncall:override-create", args=[primary.pk]),
            reverse("oncall:override-delete", args=[primary.pk, override.pk]),
        ]
        assert [client.get(url).status_code for url in gets] == [403] * len(gets)
        posts = [*gets, reverse("oncall:schedule-rotate-feed", args=[primary.pk])]
        assert [client.post(url, {"name": "x"}).status_code for url in posts] == [403] * len(posts)
        page = client.get(reverse("oncall:schedule", args=[primary.pk])).content.decode()
        assert reverse("oncall:layer-create", args=[primary.pk]) not in page
    primary.refresh_from_db()
    assert (primary.feed_token, primary.layers.count(), Override.objects.count()) == (token, 1, 1)


def test_anyone_signed_in_makes_their_own_calendar_link(
    primary: Schedule, outsider: User, login: Login
) -> None:
    client = login(outsider)
    client.post(reverse("oncall:person-feed-rotate"))
    token = PersonFeed.objects.get(user=outsider).token
    html = client.get(reverse("oncall:list")).content.decode()
    assert f"/oncall/feeds/person/{token}.ics" in html


def test_pages_in_chinese(primary: Schedule, outsider: User, login: Login) -> None:
    client = login(outsider)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("oncall:schedule", args=[primary.pk])).content.decode()
    assert "未来 14 天的班次" in html
    assert "当前值班" in html
