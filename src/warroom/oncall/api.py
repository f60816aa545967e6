"""The on-call API under /api/v1/oncall: who is on call now or at a time, the final shifts in a
window, and schedules, layers and overrides (changed by the commander, the deputy and
administrators; read by everyone signed in).

Times without an offset are read in the server's time zone; answers are in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from warroom.api.common import get_or_404, require
from warroom.lib.errors import DomainError
from warroom.oncall import queries, services
from warroom.oncall.models import Layer, LayerMember, Override, Schedule
from warroom.people.access import can_manage_plan

router = Router(tags=["on-call"])

MAX_WINDOW = dt.timedelta(days=92)
DEFAULT_WINDOW = dt.timedelta(days=14)


class PersonOut(Schema):
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class LayerOut(Schema):
    id: int
    position: int
    name: str
    rotation: str
    shift_length: int | None
    handoff_time: dt.time
    starts_at: dt.date
    members: list[str]

    @staticmethod
    def resolve_members(obj: Layer) -> list[str]:
        return [m.user.get_username() for m in obj.members.all()]


class ScheduleOut(Schema):
    id: int
    name: str
    time_zone: str
    description: str
    feed_url: str
    layers: list[LayerOut]

    @staticmethod
    def resolve_feed_url(obj: Schedule, context: dict[str, Any]) -> str:
        request = context["request"]
        return str(
            request.build_absolute_uri(reverse("oncall:feed-schedule", args=[obj.feed_token]))
        )

    @staticmethod
    def resolve_layers(obj: Schedule) -> list[Layer]:
        return list(obj.layers.all())


class ScheduleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    time_zone: str = ""
    description: str = ""


class SchedulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    time_zone: str | None = None
    description: str | None = None


class LayerIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    rotation: Literal["daily", "weekly", "custom"]
    shift_length: int | None = Field(None, ge=1, description="hours; custom rotations only")
    handoff_time: dt.time = dt.time(9, 0)
    starts_at: dt.date
    position: int | None = Field(None, ge=0, le=32767, description="default: on top")
    members: list[str] = Field(default_factory=list, description="usernames in rotation order")


class LayerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    rotation: Literal["daily", "weekly", "custom"] | None = None
    shift_length: int | None = Field(None, ge=1)
    handoff_time: dt.time | None = None
    starts_at: dt.date | None = None
    position: int | None = Field(None, ge=0, le=32767)
    members: list[str] | None = None


class OverrideOut(Schema):
    id: int
    user: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    created_by: str | None

    @staticmethod
    def resolve_user(obj: Override) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_created_by(obj: Override) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class OverrideIn(Schema):
    user: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str = Field("", max_length=200)


class NowOut(Schema):
    schedule_id: int
    schedule: str
    at: dt.datetime
    on_call: list[PersonOut]
    until: dt.datetime | None = Field(description="when who is on call changes next")
    next: list[PersonOut]


class ShiftOut(Schema):
    user: str
    name: str
    start: dt.datetime
    end: dt.datetime
    source: str = Field(description="layer or override")
    label: str = Field(description="the layer's name or the override's reason")


class FeedOut(Schema):
    feed_url: str


def _may_manage(request: HttpRequest) -> None:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change on-call schedules",
    )


def _schedules() -> Any:
    members = LayerMember.objects.select_related("user").order_by("position")
    layers = Layer.objects.order_by("-position").prefetch_related(
        Prefetch("members", queryset=members)
    )
    return Schedule.objects.prefetch_related(Prefetch("layers", queryset=layers))


def _schedule(schedule_id: int) -> Schedule:
    return get_or_404(_schedules(), "schedule", pk=schedule_id)


def _person(username: str, field: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError(field, f"unknown person {username!r}")
    return user


def _now_out(status: queries.OnCallNow) -> dict[str, Any]:
    return {
        "schedule_id": status.schedule.pk,
        "schedule": status.schedule.name,
        "at": status.at,
        "on_call": status.users,
        "until": status.until,
        "next": status.next_users,
    }


def _shift_out(shift: queries.Shift) -> dict[str, Any]:
    return {
        "user": shift.user.get_username(),
        "name": shift.user.get_full_name() or shift.user.get_username(),
        "start": shift.start,
        "end": shift.end,
        "source": shift.source,
        "label": shift.label,
    }


# --- who is on call -------------------------------------------------------------------------


@router.get("/oncall/now", response=list[NowOut])
def now_everywhere(request: HttpRequest, at: dt.datetime | None = None) -> Any:
    """Who is on call in every schedule at `at` (default now)."""
    return [_now_out(s) for s in queries.on_call_now_everywhere(at)]


@router.get("/oncall/schedules/{schedule_id}/now", response=NowOut)
def now(request: HttpRequest, schedule_id: int, at: dt.datetime | None = None) -> Any:
    """Who is on call in the schedule at `at` (default now), until when, and who is next."""
    return _now_out(queries.status(_schedule(schedule_id), at))


@router.get("/oncall/schedules/{schedule_id}/shifts", response=list[ShiftOut])
def shifts(
    request: HttpRequest,
    schedule_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> Any:
    """The final shifts in [start, end) (default: the next 14 days; at most 92 days), cut at
    the window's edges."""
    schedule = _schedule(schedule_id)
    begin = queries.aware(start)
    finish = queries.aware(end) if end is not None else begin + DEFAULT_WINDOW
    if finish <= begin:
        raise DomainError("end", "must be after start")
    if finish - begin > MAX_WINDOW:
        raise DomainError("end", f"at most {MAX_WINDOW.days} days after start")
    return [_shift_out(s) for s in queries.shifts(schedule, begin, finish)]


# --- schedules ------------------------------------------------------------------------------


@router.get("/oncall/schedules", response=list[ScheduleOut])
def list_schedules(request: HttpRequest) -> Any:
    return list(_schedules().order_by("name"))


@router.get("/oncall/schedules/{schedule_id}", response=ScheduleOut)
def get_schedule(request: HttpRequest, schedule_id: int) -> Any:
    return _schedule(schedule_id)


@router.post("/oncall/schedules", response={201: ScheduleOut})
def create_schedule(request: HttpRequest, payload: ScheduleIn) -> Any:
    _may_manage(request)
    schedule = services.create_schedule(**payload.dict())
    return Status(201, _schedule(schedule.pk))


@router.patch("/oncall/schedules/{schedule_id}", response=ScheduleOut)
def update_schedule(request: HttpRequest, schedule_id: int, payload: SchedulePatch) -> Any:
    _may_manage(request)
    schedule = get_or_404(Schedule.objects, "schedule", pk=schedule_id)
    services.update_schedule(schedule, **payload.dict(exclude_unset=True))
    return _schedule(schedule.pk)


@router.delete("/oncall/schedules/{schedule_id}", response={204: None})
def delete_schedule(request: HttpRequest, schedule_id: int) -> Any:
    _may_manage(request)
    services.delete_schedule(get_or_404(Schedule.objects, "schedule", pk=schedule_id))
    return Status(204, None)


@router.post("/oncall/schedules/{schedule_id}/rotate-feed", response=ScheduleOut)
def rotate_schedule_feed(request: HttpRequest, schedule_id: int) -> Any:
    """A new secret calendar URL for the schedule; the old one answers 404 from now on."""
    _may_manage(request)
    services.rotate_schedule_feed(get_or_404(Schedule.objects, "schedule", pk=schedule_id))
    return _schedule(schedule_id)


# --- layers ---------------------------------------------------------------------------------


def _layer(schedule_id: int, layer_id: int) -> Layer:
    return get_or_404(
        Layer.objects.select_related("schedule"), "layer", pk=layer_id, schedule_id=schedule_id
    )


def _layer_out(layer: Layer) -> Layer:
    members = LayerMember.objects.select_related("user").order_by("position")
    return get_or_404(
        Layer.objects.prefetch_related(Prefetch("members", queryset=members)), "layer", pk=layer.pk
    )


@router.post("/oncall/schedules/{schedule_id}/layers", response={201: LayerOut})
def create_layer(request: HttpRequest, schedule_id: int, payload: LayerIn) -> Any:
    _may_manage(request)
    schedule = get_or_404(Schedule.objects, "schedule", pk=schedule_id)
    data = payload.dict()
    members = services.resolve_people(data.pop("members"))
    layer = services.create_layer(schedule, members=members, **data)
    return Status(201, _layer_out(layer))


@router.patch("/oncall/schedules/{schedule_id}/layers/{layer_id}", response=LayerOut)
def update_layer(request: HttpRequest, schedule_id: int, layer_id: int, payload: LayerPatch) -> Any:
    _may_manage(request)
    layer = _layer(schedule_id, layer_id)
    data = payload.dict(exclude_unset=True)
    usernames = data.pop("members", None)
    members = None if usernames is None else services.resolve_people(usernames)
    services.update_layer(layer, members=members, **data)
    return _layer_out(layer)


@router.delete("/oncall/schedules/{schedule_id}/layers/{layer_id}", response={204: None})
def delete_layer(request: HttpRequest, schedule_id: int, layer_id: int) -> Any:
    _may_manage(request)
    services.delete_layer(_layer(schedule_id, layer_id))
    return Status(204, None)


# --- overrides ------------------------------------------------------------------------------


@router.get("/oncall/schedules/{schedule_id}/overrides", response=list[OverrideOut])
def list_overrides(request: HttpRequest, schedule_id: int, past: bool = False) -> Any:
    """The schedule's overrides that have not ended (all of them with past=true)."""
    schedule = get_or_404(Schedule.objects, "schedule", pk=schedule_id)
    items = schedule.overrides.select_related("user", "created_by").order_by("starts_at", "pk")
    return items if past else items.filter(ends_at__gt=queries.aware(None))


@router.post("/oncall/schedules/{schedule_id}/overrides", response={201: OverrideOut})
def create_override(request: HttpRequest, schedule_id: int, payload: OverrideIn) -> Any:
    _may_manage(request)
    schedule = get_or_404(Schedule.objects, "schedule", pk=schedule_id)
    data = payload.dict()
    user = _person(data.pop("user"), "user")
    assert isinstance(request.user, User)
    override = services.create_override(schedule, user=user, created_by=request.user, **data)
    return Status(201, override)


@router.delete("/oncall/schedules/{schedule_id}/overrides/{override_id}", response={204: None})
def delete_override(request: HttpRequest, schedule_id: int, override_id: int) -> Any:
    _may_manage(request)
    override = get_or_404(Override.objects, "override", pk=override_id, schedule_id=schedule_id)
    services.delete_override(override)
    return Status(204, None)


# --- my calendar feed -----------------------------------------------------------------------


def _my_feed_url(request: HttpRequest, token: str) -> dict[str, str]:
    return {"feed_url": request.build_absolute_uri(reverse("oncall:feed-person", args=[token]))}


@router.get("/oncall/feed", response=FeedOut)
def my_feed(request: HttpRequest) -> Any:
    """The secret URL of your own calendar feed (your shifts in every schedule)."""
    assert isinstance(request.user, User)
    return _my_feed_url(request, services.person_feed(request.user).token)


@router.post("/oncall/feed/rotate", response=FeedOut)
def rotate_my_feed(request: HttpRequest) -> Any:
    """A new secret URL for your calendar feed; the old one answers 404 from now on."""
    assert isinstance(request.user, User)
    return _my_feed_url(request, services.rotate_person_feed(request.user).token)
