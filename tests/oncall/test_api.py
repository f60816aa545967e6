"""The on-call API: who is on at T, shifts in a window, and changes by plan managers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import ApiClient
from warroom.oncall.models import Layer, Override, Schedule

pytestmark = pytest.mark.django_db

MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Layer]
ApiAs = Callable[..., ApiClient]


@pytest.fixture
def berlin(make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User) -> Schedule:
    schedule = make_schedule(name="EU", time_zone="Europe/Berlin")
    add_layer(schedule, [ann, bob], name="day", start=dt.date(2026, 3, 27))
    return schedule


def test_now_at_a_time_across_the_dst_change(
    berlin: Schedule, outsider: User, api_as: ApiAs
) -> None:
    response = api_as(outsider).get(
        f"/oncall/schedules/{berlin.pk}/now?at=2026-03-29T08:59:00%2B02:00"
    )
    assert response.status_code == 200
    assert response.json() == {
        "schedule_id": berlin.pk,
        "schedule": "EU",
        "at": "2026-03-29T06:59:00Z",
        "on_call": [{"username": "bob", "name": "Bob"}],
        "until": "2026-03-29T07:00:00Z",
        "next": [{"username": "ann", "name": "Ann"}],
    }


def test_now_everywhere(
    berlin: Schedule, make_schedule: MakeSchedule, api_as: ApiAs, cy: User
) -> None:
    make_schedule(name="Empty")
    data = api_as(cy).get("/oncall/now?at=2026-03-28T12:00:00Z").json()
    assert [(d["schedule"], [p["username"] for p in d["on_call"]], d["until"]) for d in data] == [
        ("EU", ["bob"], "2026-03-29T07:00:00Z"),
        ("Empty", [], None),
    ]


def test_shifts_in_a_window(berlin: Schedule, cy: User, api_as: ApiAs) -> None:
    response = api_as(cy).get(
        f"/oncall/schedules/{berlin.pk}/shifts?start=2026-03-28T00:00:00Z&end=2026-03-30T00:00:00Z"
    )
    assert response.status_code == 200
    assert response.json() == [
        {
            "user": "ann",
            "name": "Ann",
            "start": "2026-03-28T00:00:00Z",
            "end": "2026-03-28T08:00:00Z",
            "source": "layer",
            "label": "day",
        },
        {
            "user": "bob",
            "name": "Bob",
            "start": "2026-03-28T08:00:00Z",
            "end": "2026-03-29T07:00:00Z",
            "source": "layer",
            "label": "day",
        },
        {
            "user": "ann",
            "name": "Ann",
            "start": "2026-03-29T07:00:00Z",
            "end": "2026-03-30T00:00:00Z",
            "source": "layer",
            "label": "day",
        },
    ]


def test_shifts_window_is_checked(berlin: Schedule, cy: User, api_as: ApiAs) -> None:
    api = api_as(cy)
    base = f"/oncall/schedules/{berlin.pk}/shifts"
    backwards = api.get(f"{base}?start=2026-03-28T00:00:00Z&end=2026-03-27T00:00:00Z")
    assert (backwards.status_code, backwards.json()["detail"][0]["msg"]) == (
        422,
        "must be after start",
    )
    long = api.get(f"{base}?start=2026-01-01T00:00:00Z&end=2026-06-01T00:00:00Z")
    assert (long.status_code, long.json()["detail"][0]["msg"]) == (
        422,
        "at most 92 days after start",
    )
    assert api.get("/oncall/schedules/999999/shifts").status_code == 404


def test_manager_builds_a_schedule_through_the_api(
    commander: User, ann: User, bob: User, cy: User, api_as: ApiAs
) -> None:
    api = api_as(commander)
    created = api.post("/oncall/schedules", {"name": "DB", "time_zone": "Asia/Shanghai"})
    assert created.status_code == 201
    schedule_id = created.json()["id"]
    assert created.json()["feed_url"].startswith("http://testserver/oncall/feeds/schedule/")

    layer = api.post(
        f"/oncall/schedules/{schedule_id}/layers",
        {
            "name": "weekly",
            "rotation": "weekly",
            "handoff_time": "10:00",
            "starts_at": "2026-03-23",
            "members": ["bob", "ann"],
        },
    )
    assert layer.status_code == 201
    assert layer.json() == {
        "id": layer.json()["id"],
        "position": 1,
        "name": "weekly",
        "rotation": "weekly",
        "shift_length": None,
        "handoff_time": "10:00:00",
        "starts_at": "2026-03-23",
        "members": ["bob", "ann"],
    }
    override = api.post(
        f"/oncall/schedules/{schedule_id}/overrides",
        {
            "user": "cy",
            "starts_at": "2026-03-25T18:00:00+08:00",
            "ends_at": "2026-03-26T09:00:00+08:00",
            "reason": "bob at a wedding",
        },
    )
    assert override.status_code == 201
    assert override.json()["created_by"] == "chen"

    def who(at: str) -> list[str]:
        data = api.get(f"/oncall/schedules/{schedule_id}/now?at={at}").json()
        return [p["username"] for p in data["on_call"]]

    assert who("2026-03-25T09:59:00Z") == ["bob"]
    assert who("2026-03-25T10:00:00Z") == ["cy"]
    assert who("2026-03-30T02:00:00Z") == ["ann"]

    patched = api.patch(
        f"/oncall/schedules/{schedule_id}/layers/{layer.json()['id']}", {"members": ["ann"]}
    )
    assert patched.json()["members"] == ["ann"]
    assert who("2026-03-25T09:59:00Z") == ["ann"]

    gone = api.delete(f"/oncall/schedules/{schedule_id}/overrides/{override.json()['id']}")
    assert gone.status_code == 204
    assert who("2026-03-25T10:00:00Z") == ["ann"]


def test_bad_input_names_the_field(commander: User, berlin: Schedule, api_as: ApiAs) -> None:
    api = api_as(commander)
    zone = api.post("/oncall/schedules", {"name": "X", "time_zone": "Mars/Olympus"})
    assert (zone.status_code, zone.json()["detail"][0]["loc"]) == (422, ["body", "time_zone"])
    dup = api.post("/oncall/schedules", {"name": "EU"})
    assert dup.status_code == 409
    member = api.post(
        f"/oncall/schedules/{berlin.pk}/layers",
        {"name": "x", "rotation": "daily", "starts_at": "2026-01-01", "members": ["ann", "zed"]},
    )
    assert (member.status_code, member.json()["detail"][0]) == (
        422,
        {"loc": ["body", "members", 1], "msg": "unknown person 'zed'", "type": "value_error"},
    )
    custom = api.post(
        f"/oncall/schedules/{berlin.pk}/layers",
        {"name": "x", "rotation": "custom", "starts_at": "2026-01-01"},
    )
    assert (custom.status_code, custom.json()["detail"][0]["loc"]) == (
        422,
        ["body", "shift_length"],
    )
    backwards = api.post(
        f"/oncall/schedules/{berlin.pk}/overrides",
        {"user": "ann", "starts_at": "2026-04-02T00:00:00Z", "ends_at": "2026-04-01T00:00:00Z"},
    )
    assert (backwards.status_code, backwards.json()["detail"][0]["loc"]) == (
        422,
        ["body", "ends_at"],
    )
    unknown = api.post(
        f"/oncall/schedules/{berlin.pk}/overrides",
        {"user": "zed", "starts_at": "2026-04-01T00:00:00Z", "ends_at": "2026-04-02T00:00:00Z"},
    )
    assert (unknown.status_code, unknown.json()["detail"][0]["loc"]) == (422, ["body", "user"])
    assert Override.objects.count() == 0


def test_outsider_reads_but_cannot_edit(
    berlin: Schedule, outsider: User, ops_rep: User, api_as: ApiAs
) -> None:
    layer = berlin.layers.get()
    for person in (outsider, ops_rep):
        api = api_as(person)
        assert api.get("/oncall/schedules").status_code == 200
        attempts = [
            api.post("/oncall/schedules", {"name": "Mine"}),
            api.patch(f"/oncall/schedules/{berlin.pk}", {"name": "Mine"}),
            api.delete(f"/oncall/schedules/{berlin.pk}"),
            api.post(f"/oncall/schedules/{berlin.pk}/rotate-feed", {}),
            api.post(
                f"/oncall/schedules/{berlin.pk}/layers",
                {"name": "x", "rotation": "daily", "starts_at": "2026-01-01"},
            ),
            api.patch(f"/oncall/schedules/{berlin.pk}/layers/{layer.pk}", {"members": []}),
            api.delete(f"/oncall/schedules/{berlin.pk}/layers/{layer.pk}"),
            api.post(
                f"/oncall/schedules/{berlin.pk}/overrides",
                {"user": "ann", "starts_at": "2026-04-01T00:00Z", "ends_at": "2026-04-02T00:00Z"},
            ),
        ]
        assert [r.status_code for r in attempts] == [403] * len(attempts)
        assert attempts[0].json() == {
            "detail": "only the commander, the deputy or an administrator may change "
            "on-call schedules"
        }
    berlin.refresh_from_db()
    assert (berlin.name, berlin.layers.get().members.count()) == ("EU", 2)
    assert Client().get("/api/v1/oncall/schedules").status_code == 401


def test_my_feed_url_and_rotation(ann: User, api_as: ApiAs) -> None:
    api = api_as(ann)
    first = api.get("/oncall/feed").json()["feed_url"]
    assert api.get("/oncall/feed").json()["feed_url"] == first
    second = api.post("/oncall/feed/rotate", {}).json()["feed_url"]
    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_openapi_lists_the_oncall_operations(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/oncall/now",
        "/api/v1/oncall/schedules",
        "/api/v1/oncall/schedules/{schedule_id}/now",
        "/api/v1/oncall/schedules/{schedule_id}/shifts",
        "/api/v1/oncall/schedules/{schedule_id}/layers",
        "/api/v1/oncall/schedules/{schedule_id}/overrides",
    } <= set(paths)
