"""Reads of on-call schedules: who is on call at a time, and the final shifts in a window.

Every function here loads a schedule's rules in three queries whatever their number (layers,
their members with users, the overrides in the window) and computes the rest in Python with
`rotation.py`, so a page listing many schedules costs the same number of queries as one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from warroom.oncall.models import Layer, LayerMember, Override, Schedule
from warroom.oncall.rotation import Rotation, Span, compose, on_call_at

# How far ahead "until" looks for the next handoff. Longer than any layer shift (at most 28
# days), so a layer's handoff is always found; only an override longer than this is reported
# as having no handoff in sight.
HORIZON = dt.timedelta(days=35)


@dataclass(frozen=True)
class Shift:
    """A person on call in a schedule's final timeline, from `start` to `end` (aware, UTC).

    `source` is "layer" or "override"; `label` is the layer's name or the override's reason.
    """

    schedule: Schedule
    user: User
    start: dt.datetime
    end: dt.datetime
    source: str
    label: str

    @property
    def uid(self) -> str:
        """Stable as long as the shift's start does not move (calendar event UID)."""
        return f"oncall-{self.schedule.pk}-{self.user.pk}-{int(self.start.timestamp())}"


@dataclass(frozen=True)
class OnCallNow:
    """Who is on call in `schedule` at `at`. `until` is when that changes next (a handoff or
    an override starting or ending), None when nothing changes within HORIZON; `next_users`
    are the people on call from `until`."""

    schedule: Schedule
    at: dt.datetime
    users: list[User]
    until: dt.datetime | None
    next_users: list[User] = field(default_factory=list)


@dataclass
class _Rules:
    schedule: Schedule
    layers: list[tuple[Layer, Rotation[User]]]  # highest first
    overrides: list[Override]

    def spans(self, start: dt.datetime, end: dt.datetime) -> tuple[list[Span[User]], ...]:
        return tuple(rotation.shifts(start, end) for _, rotation in self.layers)

    def override_spans(self) -> list[Span[User]]:
        return [Span(o.user, o.starts_at, o.ends_at, ("override", o.pk)) for o in self.overrides]

    def label(self, key: tuple[object, ...]) -> str:
        if key[0] == "override":
            return next((o.reason for o in self.overrides if o.pk == key[1]), "")
        return next((layer.name for layer, _ in self.layers if layer.pk == key[1]), "")


def aware(at: dt.datetime | None) -> dt.datetime:
    """`at` as an aware datetime; now when None. A naive time is read in the server's time
    zone (settings.TIME_ZONE), as everywhere in Django."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return timezone.make_aware(at)
    return at


def rotation_of(
    layer: Layer, members: Sequence[User], zone: ZoneInfo | None = None
) -> Rotation[User]:
    """The pure rotation of `layer`; `zone` saves reading the layer's schedule."""
    return Rotation(
        kind=layer.rotation,
        handoff=layer.handoff_time,
        start_date=layer.starts_at,
        zone=layer.schedule.zone if zone is None else zone,
        members=tuple(members),
        shift_hours=layer.shift_length,
        key=layer.pk,
    )


def _load(schedules: Iterable[Schedule], start: dt.datetime, end: dt.datetime) -> list[_Rules]:
    """The rules of `schedules`, with the overrides that overlap [start, end)."""
    rows = list(schedules)
    ids = [s.pk for s in rows]
    members = LayerMember.objects.select_related("user").order_by("position")
    layers = (
        Layer.objects.filter(schedule_id__in=ids)
        .order_by("schedule_id", "-position")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    overrides = (
        Override.objects.filter(schedule_id__in=ids, starts_at__lt=end, ends_at__gt=start)
        .select_related("user")
        .order_by("starts_at", "pk")
    )
    rules = {s.pk: _Rules(s, [], []) for s in rows}
    for layer in layers:
        schedule = rules[layer.schedule_id].schedule
        people = [m.user for m in layer.members.all()]
        rules[layer.schedule_id].layers.append(
            (layer, rotation_of(layer, people, zone=schedule.zone))
        )
    for override in overrides:
        rules[override.schedule_id].overrides.append(override)
    return [rules[s.pk] for s in rows]


def _final(rules: _Rules, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    spans = compose(rules.override_spans(), rules.spans(start, end), start, end)
    return [
        Shift(rules.schedule, s.member, s.start, s.end, str(s.key[0]), rules.label(s.key))
        for s in spans
    ]


def _check_window(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start, end = aware(start), aware(end)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def shifts(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """The final shifts of `schedule` in [start, end), cut at the window's edges, sorted by
    start: overrides cut into the layers' shifts, a higher layer's shift into a lower's."""
    start, end = _check_window(start, end)
    if end <= start:
        return []
    [rules] = _load([schedule], start, end)
    return _final(rules, start, end)


def whole_shifts(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """Like `shifts`, but a shift running at `start` keeps its real start (the page's "next
    14 days" and the calendar feeds, whose event UIDs depend on it); it is cut there only when
    it began more than HORIZON before. Shifts are still cut at `end`."""
    start, end = _check_window(start, end)
    return [s for s in shifts(schedule, start - HORIZON, end) if s.end > start]


def on_call(schedule: Schedule, at: dt.datetime | None = None) -> list[User]:
    """Who is on call in `schedule` at `at` (default now): the people of the overrides running
    then, else the person of the highest layer that has someone, else nobody ([])."""
    at = aware(at)
    [rules] = _load([schedule], at, at + dt.timedelta(microseconds=1))
    return on_call_at(rules.override_spans(), [rotation for _, rotation in rules.layers], at)


def _status(rules: _Rules, at: dt.datetime) -> OnCallNow:
    horizon = at + HORIZON
    final = _final(rules, at, horizon)
    current = [s for s in final if s.start == at]
    changes = [s.end for s in current] + [s.start for s in final if s.start > at]
    until = min(changes, default=None)
    if until is not None and until >= horizon:
        until = None
    following = [s.user for s in final if until is not None and s.start <= until < s.end]
    return OnCallNow(rules.schedule, at, [s.user for s in current], until, following)


def status(schedule: Schedule, at: dt.datetime | None = None) -> OnCallNow:
    """Who is on call in `schedule` at `at` (default now), until when, and who comes next."""
    at = aware(at).astimezone(dt.UTC)
    [rules] = _load([schedule], at, at + HORIZON)
    return _status(rules, at)


def on_call_now_everywhere(
    at: dt.datetime | None = None, schedules: QuerySet[Schedule] | None = None
) -> list[OnCallNow]:
    """`status` of every schedule (or of `schedules`), by schedule name, in four queries."""
    at = aware(at).astimezone(dt.UTC)
    rows = Schedule.objects.all() if schedules is None else schedules
    return [_status(rules, at) for rules in _load(rows.order_by("name"), at, at + HORIZON)]


def schedules_of(user: User) -> QuerySet[Schedule]:
    """The schedules in which `user` takes turns in a layer or has an override."""
    return Schedule.objects.filter(
        Q(layers__members__user=user) | Q(overrides__user=user)
    ).distinct()


def person_shifts(user: User, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """`user`'s shifts in every schedule in [start, end), cut at its edges, sorted by start."""
    start, end = _check_window(start, end)
    if end <= start:
        return []
    mine: list[Shift] = []
    for rules in _load(schedules_of(user).order_by("name"), start, end):
        mine.extend(s for s in _final(rules, start, end) if s.user.pk == user.pk)
    return sorted(mine, key=lambda s: (s.start, s.schedule.name))


def handoffs_between(
    start: dt.datetime, end: dt.datetime, *, lookback: dt.timedelta
) -> list[Shift]:
    """Shifts of any schedule that begin in (start, end] and whose person was not already on
    call in that schedule just before (a rotation handing over to the same person, or a
    person's own override inside their shift, is no handoff). Each shift's end is looked up
    to HORIZON after `end`. `lookback` is how far back to look for the person being on."""
    start, end = _check_window(start, end)
    begin, horizon = start - lookback, end + HORIZON
    found: list[Shift] = []
    for rules in _load(Schedule.objects.order_by("name"), begin, horizon):
        final = _final(rules, begin, horizon)
        for shift in final:
            if not start < shift.start <= end:
                continue
            already_on = any(
                other.user.pk == shift.user.pk and other.start < shift.start <= other.end
                for other in final
                if other is not shift
            )
            if not already_on:
                found.append(shift)
    return found
