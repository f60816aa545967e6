"""The evaluation as CSV: one line per group, the same numbers as the dashboard."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from warroom.evaluation import queries
from warroom.evaluation.periods import Period
from warroom.evaluation.queries import MILESTONES, Row

# Column names are identifiers for spreadsheets and scripts, so they stay the same in every
# language; the group names in `name` follow the reader's language.
COLUMNS = [
    "period_start",
    "period_end",
    "breakdown",
    "key",
    "name",
    "incidents",
    *[
        f"{milestone}_{column}"
        for milestone in MILESTONES
        for column in ("reached", "p50_minutes", "p90_minutes", "targets_met", "targets_decided")
    ],
    "targets_met",
    "targets_decided",
    "targets_met_share",
    "feedback_answered",
    "feedback_average",
]


def _line(period: Period, breakdown: str, row: Row) -> list[Any]:
    cells: list[Any] = [
        period.start.isoformat(),
        period.end.isoformat(),
        breakdown,
        row.key,
        row.name,
        row.incidents,
    ]
    for milestone in MILESTONES:
        m = row.measure(milestone)
        cells += [m.reached, _blank(m.p50), _blank(m.p90), m.met, m.decided]
    share = row.met_share
    cells += [row.targets_met, row.targets_decided, "" if share is None else round(share, 4)]
    if row.feedback is None:
        cells += ["", ""]
    else:
        cells += [row.feedback.answered, _blank(row.feedback.average)]
    return cells


def _blank(value: float | None) -> Any:
    return "" if value is None else value


def write_csv(out: IO[str], period: Period, breakdowns: Iterable[str]) -> None:
    """The period's overall line, then a line per group of each breakdown asked for."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(_line(period, queries.OVERALL, queries.overall(period)))
    for by in breakdowns:
        for row in queries.breakdown(period, by):
            writer.writerow(_line(period, by, row))
