"""rotation.py on its own: wall-clock handoffs in a zone without daylight-saving time
(Asia/Shanghai) and across both 2026 changes in Europe/Berlin (29 March, 25 October)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from warroom.oncall.rotation import Rotation, Span, compose, on_call_at

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def rotation(
    kind: str,
    zone: ZoneInfo,
    start: dt.date,
    handoff: dt.time = dt.time(9, 0),
    members: tuple[str, ...] = ("ann", "bob", "cy"),
    hours: int | None = None,
) -> Rotation[str]:
    return Rotation(kind, handoff, start, zone, members, shift_hours=hours, key="L")


def table(spans: list[Span[str]]) -> list[tuple[str, dt.datetime, dt.datetime]]:
    return [(s.member, s.start, s.end) for s in spans]


# --- Asia/Shanghai: UTC+8 all year ----------------------------------------------------------


def test_daily_in_shanghai_is_24_hours_at_09_local() -> None:
    r = rotation("daily", SHANGHAI, dt.date(2026, 3, 27))
    spans = r.shifts(utc(2026, 3, 27, 0), utc(2026, 3, 31, 0))
    assert table(spans) == [
        ("ann", utc(2026, 3, 27, 1), utc(2026, 3, 28, 1)),
        ("bob", utc(2026, 3, 28, 1), utc(2026, 3, 29, 1)),
        ("cy", utc(2026, 3, 29, 1), utc(2026, 3, 30, 1)),
        ("ann", utc(2026, 3, 30, 1), utc(2026, 3, 31, 1)),
    ]
    assert {s.duration for s in spans} == {24 * H}


def test_weekly_in_shanghai_is_168_hours_also_in_october() -> None:
    r = rotation("weekly", SHANGHAI, dt.date(2026, 10, 19), handoff=dt.time(10, 0))
    spans = r.shifts(utc(2026, 10, 20), utc(2026, 11, 3))
    assert table(spans) == [
        ("ann", utc(2026, 10, 19, 2), utc(2026, 10, 26, 2)),
        ("bob", utc(2026, 10, 26, 2), utc(2026, 11, 2, 2)),
        ("cy", utc(2026, 11, 2, 2), utc(2026, 11, 9, 2)),
    ]
    assert {s.duration for s in spans} == {168 * H}


def test_custom_8_hours_in_shanghai() -> None:
    r = rotation("custom", SHANGHAI, dt.date(2026, 3, 29), dt.time(6, 0), hours=8)
    spans = r.shifts(utc(2026, 3, 28, 22), utc(2026, 3, 29, 22))
    assert table(spans) == [
        ("ann", utc(2026, 3, 28, 22), utc(2026, 3, 29, 6)),
        ("bob", utc(2026, 3, 29, 6), utc(2026, 3, 29, 14)),
        ("cy", utc(2026, 3, 29, 14), utc(2026, 3, 29, 22)),
    ]


def test_nobody_before_the_first_handoff() -> None:
    r = rotation("daily", SHANGHAI, dt.date(2026, 3, 27))
    assert r.who(utc(2026, 3, 27, 0, 59)) is None
    assert r.who(utc(2026, 3, 27, 1, 0)) == "ann"
    assert r.shifts(utc(2026, 3, 1), utc(2026, 3, 27, 1)) == []


def test_who_at_the_handoff_instant_is_the_person_coming_on() -> None:
    r = rotation("daily", SHANGHAI, dt.date(2026, 3, 27))
    handoff = utc(2026, 3, 28, 1)
    assert r.who(handoff - dt.timedelta(microseconds=1)) == "ann"
    assert r.who(handoff) == "bob"


def test_a_layer_without_members_has_nobody() -> None:
    r = rotation("daily", SHANGHAI, dt.date(2026, 3, 27), members=())
    assert r.who(utc(2026, 4, 1)) is None
    assert r.shifts(utc(2026, 4, 1), utc(2026, 4, 5)) == []


# --- Europe/Berlin: CET (UTC+1) → CEST (UTC+2) on 29 March, back on 25 October 2026 --------


def test_daily_in_berlin_spring_forward_shift_is_23_hours() -> None:
    r = rotation("daily", BERLIN, dt.date(2026, 3, 27))
    spans = r.shifts(utc(2026, 3, 27, 8), utc(2026, 3, 31, 0))
    assert table(spans) == [
        ("ann", utc(2026, 3, 27, 8), utc(2026, 3, 28, 8)),  # 09:00 CET → 09:00 CET
        ("bob", utc(2026, 3, 28, 8), utc(2026, 3, 29, 7)),  # 09:00 CET → 09:00 CEST
        ("cy", utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)),  # 09:00 CEST → 09:00 CEST
        ("ann", utc(2026, 3, 30, 7), utc(2026, 3, 31, 7)),
    ]
    assert [s.duration for s in spans] == [24 * H, 23 * H, 24 * H, 24 * H]


def test_daily_in_berlin_fall_back_shift_is_25_hours() -> None:
    r = rotation("daily", BERLIN, dt.date(2026, 10, 23))
    spans = r.shifts(utc(2026, 10, 23, 7), utc(2026, 10, 26, 8))
    assert table(spans) == [
        ("ann", utc(2026, 10, 23, 7), utc(2026, 10, 24, 7)),  # 09:00 CEST → 09:00 CEST
        ("bob", utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)),  # 09:00 CEST → 09:00 CET
        ("cy", utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)),  # 09:00 CET → 09:00 CET
    ]
    assert [s.duration for s in spans] == [24 * H, 25 * H, 24 * H]


def test_weekly_in_berlin_is_167_then_169_hours() -> None:
    r = rotation("weekly", BERLIN, dt.date(2026, 3, 23), members=("ann", "bob"))
    [spring] = r.shifts(utc(2026, 3, 29), utc(2026, 3, 29, 1))
    assert (spring.member, spring.start, spring.end) == (
        "ann",
        utc(2026, 3, 23, 8),  # Monday 09:00 CET
        utc(2026, 3, 30, 7),  # Monday 09:00 CEST
    )
    assert spring.duration == 167 * H
    [autumn] = r.shifts(utc(2026, 10, 25), utc(2026, 10, 25, 1))
    assert (autumn.member, autumn.start, autumn.end) == (
        "ann",  # 30 weeks after 23 March: an even turn
        utc(2026, 10, 19, 7),  # Monday 09:00 CEST
        utc(2026, 10, 26, 8),  # Monday 09:00 CET
    )
    assert autumn.duration == 169 * H


def test_custom_12_hours_in_berlin_keeps_08_and_20_local() -> None:
    r = rotation("custom", BERLIN, dt.date(2026, 3, 28), dt.time(8, 0), ("day", "night"), 12)
    spans = r.shifts(utc(2026, 3, 28, 7), utc(2026, 3, 29, 18))
    assert table(spans) == [
        ("day", utc(2026, 3, 28, 7), utc(2026, 3, 28, 19)),  # 08:00 → 20:00 CET
        ("night", utc(2026, 3, 28, 19), utc(2026, 3, 29, 6)),  # 20:00 CET → 08:00 CEST: 11 h
        ("day", utc(2026, 3, 29, 6), utc(2026, 3, 29, 18)),  # 08:00 → 20:00 CEST
    ]


def test_custom_12_hours_in_berlin_fall_back_night_is_13_hours() -> None:
    r = rotation("custom", BERLIN, dt.date(2026, 10, 24), dt.time(8, 0), ("day", "night"), 12)
    night = r.shifts(utc(2026, 10, 25, 0), utc(2026, 10, 25, 1))
    assert table(night) == [("night", utc(2026, 10, 24, 18), utc(2026, 10, 25, 7))]
    assert night[0].duration == 13 * H


def test_handoff_in_the_skipped_hour_happens_an_hour_later() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: the clock jumps from 02:00 to 03:00.
    r = rotation("daily", BERLIN, dt.date(2026, 3, 28), dt.time(2, 30))
    spans = r.shifts(utc(2026, 3, 28, 1), utc(2026, 3, 30, 0))
    assert table(spans) == [
        ("ann", utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30)),  # → 03:30 CEST
        ("bob", utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)),  # 03:30 → 02:30 CEST
    ]


def test_handoff_in_the_repeated_hour_happens_the_first_time() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026 (CEST, then CET): the first one counts.
    r = rotation("daily", BERLIN, dt.date(2026, 10, 24), dt.time(2, 30))
    spans = r.shifts(utc(2026, 10, 24, 1), utc(2026, 10, 26, 1))
    assert table(spans) == [
        ("ann", utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30)),
        ("bob", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),  # 25 h
    ]


def test_custom_hourly_drops_the_shift_the_clock_skips() -> None:
    r = rotation("custom", BERLIN, dt.date(2026, 3, 29), dt.time(0, 30), ("a", "b", "c", "d"), 1)
    spans = r.shifts(utc(2026, 3, 28, 23), utc(2026, 3, 29, 3))
    # 00:30 CET, 01:30 CET, "02:30" (= 03:30 CEST), 03:30 CEST: the third turn has no time.
    assert table(spans) == [
        ("a", utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 0, 30)),
        ("b", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)),
        ("d", utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30)),
        ("a", utc(2026, 3, 29, 2, 30), utc(2026, 3, 29, 3, 30)),
    ]
    assert r.who(utc(2026, 3, 29, 1, 30)) == "d"


def test_new_york_november_change() -> None:
    # EDT (UTC−4) → EST (UTC−5) on 1 November 2026 at 02:00.
    r = rotation("daily", NEW_YORK, dt.date(2026, 10, 31), dt.time(18, 0), ("ann", "bob"))
    spans = r.shifts(utc(2026, 10, 31, 22), utc(2026, 11, 2, 0))
    assert table(spans) == [
        ("ann", utc(2026, 10, 31, 22), utc(2026, 11, 1, 23)),
        ("bob", utc(2026, 11, 1, 23), utc(2026, 11, 2, 23)),
    ]


@pytest.mark.parametrize("zone", [SHANGHAI, BERLIN, NEW_YORK])
def test_who_agrees_with_shifts_all_year(zone: ZoneInfo) -> None:
    r = rotation("custom", zone, dt.date(2026, 1, 1), dt.time(7, 15), hours=7)
    spans = r.shifts(utc(2026, 1, 1), utc(2027, 1, 1))
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    lengths = {s.duration for s in spans}
    assert lengths == ({7 * H} if zone is SHANGHAI else {6 * H, 7 * H, 8 * H})
    for s in spans:
        assert r.who(s.start) == s.member
        assert r.who(s.end - dt.timedelta(microseconds=1)) == s.member


# --- the final schedule ---------------------------------------------------------------------


def span(member: str, start: dt.datetime, end: dt.datetime, key: str) -> Span[str]:
    return Span(member, start, end, (key,))


def test_compose_override_cuts_the_layer_shift() -> None:
    layer = [span("ann", utc(2026, 1, 1, 0), utc(2026, 1, 2, 0), "L1")]
    override = [span("zoe", utc(2026, 1, 1, 10), utc(2026, 1, 1, 12), "O1")]
    result = compose(override, [layer], utc(2026, 1, 1, 0), utc(2026, 1, 2, 0))
    assert [(s.member, s.start.hour, s.end.hour, s.key) for s in result] == [
        ("ann", 0, 10, ("L1",)),
        ("zoe", 10, 12, ("O1",)),
        ("ann", 12, 0, ("L1",)),
    ]


def test_compose_higher_layer_wins_where_it_has_someone() -> None:
    high = [span("hal", utc(2026, 1, 1, 18), utc(2026, 1, 1, 22), "H")]
    low = [span("lou", utc(2026, 1, 1, 0), utc(2026, 1, 2, 0), "L")]
    result = compose([], [high, low], utc(2026, 1, 1, 12), utc(2026, 1, 2, 0))
    assert [(s.member, s.start.hour, s.end.hour) for s in result] == [
        ("lou", 12, 18),
        ("hal", 18, 22),
        ("lou", 22, 0),
    ]


def test_compose_overlapping_overrides_are_both_on() -> None:
    over = [
        span("x", utc(2026, 1, 1, 10), utc(2026, 1, 1, 14), "O1"),
        span("y", utc(2026, 1, 1, 12), utc(2026, 1, 1, 16), "O2"),
    ]
    result = compose(over, [], utc(2026, 1, 1), utc(2026, 1, 2))
    assert [(s.member, s.start.hour, s.end.hour) for s in result] == [("x", 10, 14), ("y", 12, 16)]
    assert on_call_at(over, [], utc(2026, 1, 1, 13)) == ["x", "y"]


def test_on_call_at_override_then_highest_layer_then_nobody() -> None:
    high = rotation("daily", SHANGHAI, dt.date(2026, 6, 1), members=("hal",))
    low = rotation("daily", SHANGHAI, dt.date(2026, 1, 1), members=("lou",))
    over = [span("zoe", utc(2026, 6, 10), utc(2026, 6, 11), "O")]
    assert on_call_at(over, [high, low], utc(2026, 6, 10, 5)) == ["zoe"]
    assert on_call_at(over, [high, low], utc(2026, 6, 11, 5)) == ["hal"]
    assert on_call_at(over, [high, low], utc(2026, 5, 11, 5)) == ["lou"]
    assert on_call_at(over, [high, low], utc(2025, 5, 11, 5)) == []
