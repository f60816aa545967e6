"""Writes of on-call schedules: schedules, layers with their members, overrides, feed tokens,
and the handoff notices.

Every function raises DomainError (naming the field) for bad input and Conflict for a clash
with what is stored, and then stores nothing. Who may call them is decided by the caller
(`people.access.can_manage_plan` for schedules, layers and overrides).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from warroom.lib.errors import Conflict, DomainError
from warroom.notify.services import Message, queue_deliveries
from warroom.oncall import queries
from warroom.oncall.models import (
    HandoffNotice,
    Layer,
    LayerMember,
    Override,
    PersonFeed,
    Schedule,
    check_time_zone,
    new_feed_token,
)
from warroom.oncall.rotation import KINDS

log = logging.getLogger(__name__)

# The periodic task runs every minute; a shift that began this long ago still gets its notice,
# so a worker that was down for a few minutes catches up. HandoffNotice keeps it to one.
CATCH_UP = dt.timedelta(minutes=15)
# How far before a shift start to look whether its person was already on call (then it is no
# handoff): longer than any layer shift.
ALREADY_ON_LOOKBACK = dt.timedelta(days=29)

SCHEDULE_FIELDS = ("name", "time_zone", "description")
LAYER_FIELDS = ("name", "rotation", "shift_length", "handoff_time", "starts_at", "position")


# --- schedules ------------------------------------------------------------------------------


def _clean_schedule(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError("name", "required")
        if len(fields["name"]) > 120:
            raise DomainError("name", "at most 120 characters")
    if "time_zone" in fields:
        fields["time_zone"] = (fields["time_zone"] or "").strip()
        try:
            check_time_zone(fields["time_zone"])
        except ValueError as exc:
            raise DomainError("time_zone", str(exc)) from None
    return fields


def _save_schedule(schedule: Schedule) -> Schedule:
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as exc:
        raise Conflict("name", f"a schedule named {schedule.name!r} already exists") from exc
    return schedule


def create_schedule(*, name: str, time_zone: str = "", description: str = "") -> Schedule:
    """A new schedule; `time_zone` defaults to the server's (settings.TIME_ZONE)."""
    fields = _clean_schedule(
        {"name": name, "time_zone": time_zone or settings.TIME_ZONE, "description": description}
    )
    return _save_schedule(Schedule(**fields))


def update_schedule(schedule: Schedule, **fields: Any) -> Schedule:
    """Change the name, time zone or description. A new time zone moves future handoffs to
    the same wall-clock time in the new zone."""
    for key, value in _clean_schedule(fields).items():
        setattr(schedule, key, value)
    return _save_schedule(schedule)


def delete_schedule(schedule: Schedule) -> None:
    """Delete a schedule with its layers, overrides and notices; its feed URL stops working."""
    schedule.delete()


def rotate_schedule_feed(schedule: Schedule) -> Schedule:
    """A new secret for the schedule's calendar URL; the old URL answers 404 from now on."""
    schedule.feed_token = new_feed_token()
    schedule.save(update_fields=["feed_token"])
    return schedule


# --- layers ---------------------------------------------------------------------------------


def _check_person(user: User | None, field: str) -> User:
    if user is None or not getattr(user, "pk", None):
        raise DomainError(field, "unknown person")
    if not user.is_active:
        raise DomainError(field, f"{user.get_username()!r} is deactivated")
    return user


def _check_people(people: Sequence[User], field: str) -> list[User]:
    return [_check_person(user, f"{field}[{index}]") for index, user in enumerate(people)]


def resolve_people(usernames: Sequence[str], field: str = "members") -> list[User]:
    """The users named, in order, else DomainError naming the first unknown one
    (e.g. field "members[2]")."""
    names = [name.strip() for name in usernames]
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    for index, name in enumerate(names):
        if name not in found:
            raise DomainError(f"{field}[{index}]", f"unknown person {name!r}")
    return _check_people([found[name] for name in names], field)


def _clean_layer(layer: Layer) -> None:
    layer.name = (layer.name or "").strip()
    if not layer.name:
        raise DomainError("name", "required")
    if len(layer.name) > 120:
        raise DomainError("name", "at most 120 characters")
    if layer.rotation not in KINDS:
        raise DomainError("rotation", f"must be one of {', '.join(KINDS)}")
    if layer.rotation == Layer.Rotation.CUSTOM:
        if not layer.shift_length or layer.shift_length < 1:
            raise DomainError("shift_length", "a custom rotation needs a shift length in hours")
        if layer.shift_length > Layer.MAX_SHIFT_HOURS:
            raise DomainError("shift_length", f"at most {Layer.MAX_SHIFT_HOURS} hours")
    elif layer.shift_length is not None:
        raise DomainError("shift_length", "only a custom rotation has a shift length")
    if not isinstance(layer.handoff_time, dt.time):
        raise DomainError("handoff_time", "a time of day such as 09:00 is required")
    # The handoff is a wall-clock time in the schedule's zone, never a fixed offset.
    layer.handoff_time = layer.handoff_time.replace(tzinfo=None)
    if not isinstance(layer.starts_at, dt.date) or isinstance(layer.starts_at, dt.datetime):
        raise DomainError("starts_at", "a date such as 2026-03-02 is required")


def _save_layer(layer: Layer, members: list[User] | None, position: int | None) -> Layer:
    """Store `layer` at `position` (None: on top of the schedule's other layers) and, when
    `members` is given, replace its rotation order with them."""
    _clean_layer(layer)
    if position is not None and not 0 <= position <= 32767:
        raise DomainError("position", "must be between 0 and 32767")
    try:
        with transaction.atomic():
            if position is None:
                others = layer.schedule.layers.exclude(pk=layer.pk)
                top = others.aggregate(top=Max("position"))["top"]
                position = 1 if top is None else top + 1
            layer.position = position
            layer.save()
            if members is not None:
                layer.members.all().delete()
                LayerMember.objects.bulk_create(
                    LayerMember(layer=layer, user=user, position=index)
                    for index, user in enumerate(members)
                )
    except IntegrityError as exc:
        raise Conflict("position", f"the schedule has a layer at position {position}") from exc
    return layer


def create_layer(
    schedule: Schedule,
    *,
    name: str,
    rotation: str,
    handoff_time: dt.time,
    starts_at: dt.date,
    members: Sequence[User] = (),
    shift_length: int | None = None,
    position: int | None = None,
) -> Layer:
    """A new layer of `schedule`; `members` take turns in this order. Without a position the
    layer goes on top (it overrides the others where it has someone)."""
    layer = Layer(
        schedule=schedule,
        name=name,
        rotation=rotation,
        shift_length=shift_length,
        handoff_time=handoff_time,
        starts_at=starts_at,
    )
    return _save_layer(layer, _check_people(members, "members"), position)


def update_layer(layer: Layer, *, members: Sequence[User] | None = None, **fields: Any) -> Layer:
    """Change a layer; `members`, when given, replaces the rotation order. Changing the
    rotation rewrites the future and the past alike: shifts are computed, not stored."""
    unknown = set(fields) - set(LAYER_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    if fields.get("rotation", layer.rotation) != Layer.Rotation.CUSTOM:
        fields.setdefault("shift_length", None)
    position = fields.pop("position", layer.position)
    for key, value in fields.items():
        setattr(layer, key, value)
    people = None if members is None else _check_people(members, "members")
    try:
        return _save_layer(layer, people, position)
    except DomainError:
        layer.refresh_from_db()
        raise


def delete_layer(layer: Layer) -> None:
    layer.delete()


# --- overrides ------------------------------------------------------------------------------


def create_override(
    schedule: Schedule,
    *,
    user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str = "",
    created_by: User | None = None,
) -> Override:
    """`user` on call in `schedule` from `starts_at` to `ends_at`, instead of every layer.
    A time without offset is read in the server's time zone."""
    user = _check_person(user, "user")
    if starts_at is None:
        raise DomainError("starts_at", "required")
    if ends_at is None:
        raise DomainError("ends_at", "required")
    starts_at, ends_at = queries.aware(starts_at), queries.aware(ends_at)
    if ends_at <= starts_at:
        raise DomainError("ends_at", "must be after the start")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise DomainError("reason", "at most 200 characters")
    with transaction.atomic():
        return Override.objects.create(
            schedule=schedule,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=created_by,
        )


def delete_override(override: Override) -> None:
    override.delete()


# --- personal feeds -------------------------------------------------------------------------


def person_feed(user: User) -> PersonFeed:
    """The person's feed secret, made on first use."""
    feed, _ = PersonFeed.objects.get_or_create(user=user)
    return feed


def rotate_person_feed(user: User) -> PersonFeed:
    """A new secret for the person's calendar URL; the old URL answers 404 from now on."""
    with transaction.atomic():
        feed = person_feed(user)
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed


# --- handoff notices ------------------------------------------------------------------------


def _local(moment: dt.datetime, schedule: Schedule) -> str:
    local = moment.astimezone(schedule.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({schedule.time_zone})"


def handoff_message(shift: queries.Shift, user: User, language: str) -> Message:
    """The notice to the person coming on, in `language`."""
    schedule = shift.schedule
    url = settings.BASE_URL + reverse("oncall:schedule", args=[schedule.pk])
    with translation.override(language):
        subject = gettext("You are on call: %(schedule)s") % {"schedule": schedule.name}
        lines = [
            gettext("Your on-call shift in “%(schedule)s” has begun.")
            % {"schedule": schedule.name},
            gettext("It ends %(end)s.") % {"end": _local(shift.end, schedule)},
        ]
        if shift.source == "override":
            lines.append(
                gettext("You cover as an override: %(reason)s")
                % {"reason": shift.label or gettext("(no reason given)")}
            )
        lines += ["", gettext("Schedule: %(url)s") % {"url": url}]
    return Message(subject=subject, body="\n".join(lines), kind="oncall.handoff")


def send_handoff_notices(now: dt.datetime) -> int:
    """Tell each person whose shift began in the last CATCH_UP before `now` that they are on
    call (once: a HandoffNotice row per schedule, person and shift start); returns how many
    notices were queued. Someone already on call just before (their own rotation turn again,
    an override inside their own shift) gets none.

    Safe to run twice and in two workers at once: the notice row and its deliveries are
    written in one transaction, and the unique row lets only one of them through.
    """
    now = queries.aware(now)
    found = queries.handoffs_between(now - CATCH_UP, now, lookback=ALREADY_ON_LOOKBACK)
    if not found:
        return 0
    sent = set(
        HandoffNotice.objects.filter(
            shift_start__gt=now - CATCH_UP, shift_start__lte=now
        ).values_list("schedule_id", "user_id", "shift_start")
    )
    count = 0
    for shift in found:
        if (shift.schedule.pk, shift.user.pk, shift.start) in sent:
            continue
        try:
            with transaction.atomic():
                HandoffNotice.objects.create(
                    schedule=shift.schedule,
                    user=shift.user,
                    shift_start=shift.start,
                    shift_end=shift.end,
                )
                queue_deliveries([shift.user], partial(handoff_message, shift))
        except IntegrityError:
            continue  # another worker sent it a moment ago
        count += 1
    if count:
        log.info("on-call: %d handoff notice(s) queued", count)
    return count
