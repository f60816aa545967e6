from __future__ import annotations

import datetime as dt

from ninja import Schema

from warroom.evaluation.queries import MILESTONES, Row


class MeasureOut(Schema):
    reached: int
    p50_minutes: float | None
    p90_minutes: float | None
    targets_met: int
    targets_decided: int


class RowOut(Schema):
    key: str
    name: str
    incidents: int
    acknowledge: MeasureOut
    assess: MeasureOut
    mitigate: MeasureOut
    resolve: MeasureOut
    targets_met: int
    targets_decided: int
    targets_met_share: float | None
    feedback_answered: int | None
    feedback_average: float | None


class EvaluationOut(Schema):
    start: dt.date
    end: dt.date
    group_by: str | None
    overall: RowOut
    groups: list[RowOut]


def row_out(row: Row) -> RowOut:
    measures = {
        name: MeasureOut(
            reached=m.reached,
            p50_minutes=m.p50,
            p90_minutes=m.p90,
            targets_met=m.met,
            targets_decided=m.decided,
        )
        for name, m in ((name, row.measure(name)) for name in MILESTONES)
    }
    share = row.met_share
    return RowOut(
        key=row.key,
        name=row.name,
        incidents=row.incidents,
        **measures,
        targets_met=row.targets_met,
        targets_decided=row.targets_decided,
        targets_met_share=None if share is None else round(share, 4),
        feedback_answered=row.feedback.answered if row.feedback else None,
        feedback_average=row.feedback.average if row.feedback else None,
    )
