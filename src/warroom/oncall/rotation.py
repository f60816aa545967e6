"""Who is on call: rotations and the final schedule, as pure computation (no Django).

A rotation hands over at a *wall-clock* time in its zone: shift k starts at

    local(start date + handoff time) + k × period        (arithmetic on the wall clock)

converted to UTC, where the period is 24 h (daily), 168 h (weekly) or the custom shift length.
So a daily 09:00 handoff in Europe/Berlin stays at 09:00 across a daylight-saving change, and
the shift that spans the change lasts 23 h (March) or 25 h (October); in Asia/Shanghai, which
keeps no daylight-saving time, every daily shift lasts 24 h.

Two wall-clock corner cases, both from PEP 495's `fold=0`:
- a handoff time the clock skips (02:30 on the spring-forward night in Berlin) happens when
  the clock reads 03:30, one hour later; a custom rotation may then get a shift of length zero,
  which is dropped;
- a handoff time the clock shows twice (02:30 on the fall-back night) happens the first time.

`compose` builds the final schedule out of the layers' shifts and the overrides: an override
wins over every layer; where none applies, the highest layer that has someone wins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

M = TypeVar("M")

UTC = dt.UTC
DAILY, WEEKLY, CUSTOM = "daily", "weekly", "custom"
KINDS = (DAILY, WEEKLY, CUSTOM)


def period_of(kind: str, shift_hours: int | None = None) -> dt.timedelta:
    """The wall-clock length of one shift. Raises ValueError for an unknown kind or a custom
    rotation without a positive whole number of hours."""
    if kind == DAILY:
        return dt.timedelta(days=1)
    if kind == WEEKLY:
        return dt.timedelta(days=7)
    if kind == CUSTOM:
        if not shift_hours or shift_hours < 1:
            raise ValueError("a custom rotation needs a shift length of at least one hour")
        return dt.timedelta(hours=shift_hours)
    raise ValueError(f"unknown rotation {kind!r}")


@dataclass(frozen=True)
class Span(Generic[M]):
    """Someone on call from `start` (inclusive) to `end` (exclusive), both aware UTC.

    `key` names the shift the span comes from: ("layer", layer key, shift index) or
    ("override", override key). A layer shift cut by an override leaves two spans with the
    same key.
    """

    member: M
    start: dt.datetime
    end: dt.datetime
    key: tuple[Hashable, ...]

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Rotation(Generic[M]):
    """A layer's rotation: members take turns, one shift each, in order, from `start_date` at
    `handoff` (local time in `zone`). Before the first handoff nobody is on."""

    kind: str
    handoff: dt.time
    start_date: dt.date
    zone: ZoneInfo
    members: tuple[M, ...]
    shift_hours: int | None = None
    key: Hashable = None

    @property
    def period(self) -> dt.timedelta:
        return period_of(self.kind, self.shift_hours)

    @property
    def _anchor(self) -> dt.datetime:
        # Naive on purpose: the arithmetic is on the wall clock, the zone is applied after.
        return dt.datetime.combine(self.start_date, self.handoff.replace(tzinfo=None))

    def boundary(self, index: int) -> dt.datetime:
        """When shift `index` starts (shift 0 is the first one), in UTC."""
        wall = self._anchor + index * self.period
        return wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)

    def index_at(self, at: dt.datetime) -> int:
        """The index of the shift running at `at` (aware): negative before the first handoff.

        Estimated from the wall clock, then corrected against the real boundaries, which
        differ from the estimate by the hour a daylight-saving change moves them.
        """
        wall = at.astimezone(self.zone).replace(tzinfo=None)
        index = (wall - self._anchor) // self.period
        while self.boundary(index) > at:
            index -= 1
        while self.boundary(index + 1) <= at:
            index += 1
        return index

    def member_of(self, index: int) -> M | None:
        if index < 0 or not self.members:
            return None
        return self.members[index % len(self.members)]

    def who(self, at: dt.datetime) -> M | None:
        """Who is on at `at`, or None (before the start, or no members)."""
        if not self.members:
            return None
        return self.member_of(self.index_at(at))

    def shifts(self, start: dt.datetime, end: dt.datetime) -> list[Span[M]]:
        """The shifts overlapping [start, end), whole (not cut at the window), in order."""
        if not self.members or end <= start:
            return []
        spans: list[Span[M]] = []
        index = max(self.index_at(start), 0)
        begin = self.boundary(index)
        while begin < end:
            finish = self.boundary(index + 1)
            member = self.member_of(index)
            if finish > begin and finish > start and member is not None:
                spans.append(Span(member, begin, finish, ("layer", self.key, index)))
            index += 1
            begin = finish
        return spans


def _active(spans: Sequence[Span[M]], starts: Sequence[dt.datetime], at: dt.datetime) -> int:
    """Index of the span of `spans` (sorted, not overlapping) running at `at`, or -1."""
    lo, hi = 0, len(starts)
    while lo < hi:  # the last span starting at or before `at`
        mid = (lo + hi) // 2
        if starts[mid] <= at:
            lo = mid + 1
        else:
            hi = mid
    index = lo - 1
    if index >= 0 and spans[index].end > at:
        return index
    return -1


def compose(
    overrides: Sequence[Span[M]],
    layers: Sequence[Sequence[Span[M]]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[Span[M]]:
    """The final schedule in [start, end), spans cut at the window's edges.

    `layers` come highest first, each a sorted list of non-overlapping spans. Wherever any
    override runs, the overrides running there are on call (several when they overlap);
    elsewhere the highest layer with a span there is. Pieces of one shift that follow each
    other are joined again; the result is sorted by start, then by key.
    """
    if end <= start:
        return []
    points = {start, end}
    for span in [*overrides, *(s for layer in layers for s in layer)]:
        for point in (span.start, span.end):
            if start < point < end:
                points.add(point)
    cuts = sorted(points)
    layer_starts = [[span.start for span in layer] for layer in layers]
    open_spans: dict[tuple[Hashable, ...], Span[M]] = {}
    done: list[Span[M]] = []
    for left, right in itertools.pairwise(cuts):
        # Coverage cannot change inside [left, right): every span edge is one of the cuts.
        here = [o for o in overrides if o.start <= left < o.end]
        if not here:
            for layer, starts in zip(layers, layer_starts, strict=True):
                found = _active(layer, starts, left)
                if found >= 0:
                    here = [layer[found]]
                    break
        for span in here:
            piece = open_spans.get(span.key)
            if piece is not None and piece.end == left:
                open_spans[span.key] = Span(span.member, piece.start, right, span.key)
            else:
                if piece is not None:
                    done.append(piece)
                open_spans[span.key] = Span(span.member, left, right, span.key)
    done.extend(open_spans.values())
    return sorted(done, key=lambda s: (s.start, repr(s.key)))


def on_call_at(
    overrides: Sequence[Span[M]], rotations: Sequence[Rotation[M]], at: dt.datetime
) -> list[M]:
    """Who is on at `at`: the members of the overrides running then, else the member of the
    highest rotation (rotations come highest first) that has someone, else nobody."""
    running = [o.member for o in overrides if o.start <= at < o.end]
    if running:
        return list(dict.fromkeys(running))
    for rotation in rotations:
        member = rotation.who(at)
        if member is not None:
            return [member]
    return []
