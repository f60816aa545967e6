"""The numbers themselves, on the hand-made history of conftest.py (the same on SQLite and
PostgreSQL: both compute percentile_cont's interpolation)."""

from __future__ import annotations

import pytest

from tests.evaluation.conftest import NOW, History, MakeIncident, at
from warroom.evaluation import queries
from warroom.evaluation.aggregates import percentile_cont
from warroom.evaluation.periods import month
from warroom.evaluation.queries import Measure, Row

pytestmark = pytest.mark.django_db

MARCH = month(2025, 3)


def timings(row: Row) -> dict[str, tuple[int, float | None, float | None]]:
    return {
        m: (row.measure(m).reached, row.measure(m).p50, row.measure(m).p90)
        for m in queries.MILESTONES
    }


def test_overall_medians_and_p90_are_exact(history: History) -> None:
    row = queries.overall(MARCH, now=NOW)
    assert row.incidents == 5
    assert timings(row) == {
        "acknowledge": (5, 10.0, 26.0),
        "assess": (4, 22.5, 37.0),
        "mitigate": (3, 60.0, 108.0),
        "resolve": (3, 240.0, 528.0),
    }


def test_drills_and_cancelled_incidents_are_not_counted(history: History) -> None:
    # The drill and the cancelled incident took 1000 minutes to acknowledge; with either one
    # counted the median would move.
    row = queries.overall(MARCH, now=NOW)
    assert (row.incidents, row.measure("acknowledge").p90) == (5, 26.0)


def test_targets_met_share(history: History) -> None:
    """Acknowledge: A, C, D met (D exactly on time), B late, E has no target.
    Assess: A, C met, B late, D not yet due. Mitigate: A met, B late, C overdue unreached.
    Resolve: A met, B late."""
    row = queries.overall(MARCH, now=NOW)
    assert {m: (row.measure(m).met, row.measure(m).decided) for m in queries.MILESTONES} == {
        "acknowledge": (3, 4),
        "assess": (2, 3),
        "mitigate": (1, 3),
        "resolve": (1, 2),
    }
    assert (row.targets_met, row.targets_decided, row.met_share) == (7, 12, 7 / 12)


def test_a_target_not_yet_due_is_not_decided(history: History) -> None:
    # On 12 March at noon C's mitigation (due 12 March 12:00) is not yet late.
    early = NOW.replace(month=3, day=12, hour=11)
    assert queries.overall(MARCH, now=early).measure("mitigate") == Measure(
        reached=3, p50=60.0, p90=108.0, met=1, decided=2
    )


def test_by_level(history: History) -> None:
    rows = queries.breakdown(MARCH, "level", now=NOW)
    assert [(r.key, r.name, r.incidents) for r in rows] == [
        ("high", "High", 2),
        ("medium", "Medium", 2),
        ("low", "Low", 1),
    ]
    high = rows[0]
    assert timings(high) == {
        "acknowledge": (2, 7.5, 9.5),
        "assess": (2, 22.5, 28.5),
        "mitigate": (2, 90.0, 114.0),
        "resolve": (2, 420.0, 564.0),
    }
    assert (high.targets_met, high.targets_decided) == (4, 8)
    assert timings(rows[1])["acknowledge"] == (2, 25.0, 29.0)
    assert timings(rows[1])["mitigate"] == (0, None, None)


def test_by_category(history: History) -> None:
    rows = queries.breakdown(MARCH, "category", now=NOW)
    assert [(r.key, r.incidents) for r in rows] == [
        ("system_failure", 2),
        ("data_leak", 1),
        ("network_attack", 1),
        ("human_error", 1),
    ]
    assert rows[3].measure("resolve") == Measure(reached=1, p50=16.0, p90=16.0, met=0, decided=0)


def test_by_system_counts_each_affected_system(history: History) -> None:
    rows = queries.breakdown(MARCH, "system", now=NOW)
    # B hit three systems; D none (it is in no system's row).
    assert [(r.name, r.incidents) for r in rows] == [
        ("CRM", 2),
        ("Customer DB", 2),
        ("ERP", 1),
        ("Website", 1),
    ]
    customer_db = rows[1]
    assert timings(customer_db)["resolve"] == (2, 308.0, 541.6)


def test_by_department_counts_an_incident_once_per_department(history: History) -> None:
    rows = {r.name: r for r in queries.breakdown(MARCH, "department", now=NOW)}
    # B hit two IT systems (Customer DB, ERP): IT counts it once, with E.
    assert {name: row.incidents for name, row in rows.items()} == {
        "Customer service": 2,
        "Development team": 1,
        "IT department": 2,
    }
    assert timings(rows["IT department"])["acknowledge"] == (2, 6.0, 9.2)


def test_trend_covers_twelve_months_with_zeros(history: History) -> None:
    rows = queries.trend(MARCH, now=NOW)
    assert [r.key for r in rows] == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09",
        "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03",
    ]  # fmt: skip
    assert [r.incidents for r in rows] == [0] * 10 + [1, 5]
    february, march = rows[-2], rows[-1]
    assert timings(february)["acknowledge"] == (1, 7.0, 7.0)
    assert (february.targets_met, february.targets_decided) == (0, 1)
    assert timings(march) == timings(queries.overall(MARCH, now=NOW))
    assert rows[0].measure("resolve") == Measure()


def test_feedback_by_period_and_level(history: History, answered: None) -> None:
    overall = queries.overall(MARCH, now=NOW)
    assert overall.feedback is not None
    assert (overall.feedback.sent, overall.feedback.answered, overall.feedback.average) == (
        4,
        2,
        3.0,
    )
    levels = {r.key: r.feedback for r in queries.breakdown(MARCH, "level", now=NOW)}
    assert levels["high"] is not None and levels["high"].average == 3.0
    assert levels["medium"] is not None and (levels["medium"].sent, levels["medium"].average) == (
        1,
        None,
    )
    march = queries.trend(MARCH, now=NOW)[-1]
    assert march.feedback is not None and march.feedback.average == 3.0


def test_feedback_for_an_incident(history: History, answered: None) -> None:
    result = queries.feedback_for(history.a)
    assert (result.sent, [f.score for f in result.answers], result.average) == (2, [4], 4.0)


def test_an_empty_period_gives_empty_rows(history: History) -> None:
    june = month(2025, 6)
    row = queries.overall(june, now=NOW)
    assert (row.incidents, row.measure("acknowledge"), row.met_share) == (0, Measure(), None)
    assert queries.breakdown(june, "system", now=NOW) == []


def test_a_range_of_days(history: History) -> None:
    from warroom.evaluation.periods import parse_period

    period = parse_period(start=MARCH.start, end=MARCH.start.replace(day=12))
    assert queries.overall(period, now=NOW).incidents == 3  # A, B, C


def test_trend_shows_a_change_to_a_completed_month_at_once(
    history: History, make_incident: MakeIncident
) -> None:
    # On 20 March, February is over (stored) and March still running (read live). The
    # stored February is dropped as soon as one of its incidents changes (test_trend_months.py).
    on_20_march = NOW.replace(month=3, day=20)
    assert [r.incidents for r in queries.trend(MARCH, now=on_20_march)][-2:] == [1, 5]
    make_incident(at(2, 10), ack=1)
    make_incident(at(3, 10), ack=1)
    assert [r.incidents for r in queries.trend(MARCH, now=on_20_march)][-2:] == [2, 6]


def test_percentile_cont_matches_postgresql_definition() -> None:
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7.0], 0.9) == 7.0
    assert percentile_cont([30.0, 5.0, 20.0, 10.0, 2.0], 0.5) == 10.0
    assert percentile_cont([30.0, 5.0, 20.0, 10.0, 2.0], 0.9) == pytest.approx(26.0)
    assert percentile_cont([15.0, 30.0, 40.0, 4.0], 0.5) == 22.5
