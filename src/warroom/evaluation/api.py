"""The evaluation in the REST API: the same numbers as the dashboard, for one period."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from warroom.evaluation import queries
from warroom.evaluation.periods import parse_period
from warroom.evaluation.schemas import EvaluationOut, row_out

router = Router(tags=["evaluation"])


class EvaluationQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    group_by: Literal["level", "category", "system", "department"] | None = None


@router.get("/evaluation", response=EvaluationOut)
def evaluation(request: HttpRequest, filters: Query[EvaluationQuery]) -> EvaluationOut:
    """Response metrics of the real incidents reported from `start` to `end` (days, inclusive;
    this month by default): times in minutes from the report (median and 90th percentile) and
    plan targets met, overall and per `group_by`. Drills and cancelled incidents are left out;
    only counts and times are returned, never an incident."""
    period = parse_period(start=filters.start, end=filters.end)
    groups = queries.breakdown(period, filters.group_by) if filters.group_by else []
    return EvaluationOut(
        start=period.start,
        end=period.end,
        group_by=filters.group_by,
        overall=row_out(queries.overall(period)),
        groups=[row_out(row) for row in groups],
    )
