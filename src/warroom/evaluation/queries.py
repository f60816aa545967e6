"""Reads of the evaluation (plan §6.2): response times and plan targets per period and
breakdown, monthly trends, and the users' feedback.

What is counted: incidents *reported* in the period that are real — drills and cancelled
incidents (false alarms, merged duplicates) are left out. Times are minutes from the report to
each milestone (acknowledged, assessed, mitigated = recovery started, resolved), over the
incidents that reached it. A plan target counts once it is decided: met when the milestone
was reached by its due time, missed when it was reached late or its due time passed first.

Every number is computed by the database, one query per breakdown (see aggregates.py); Python
only turns the few result rows into the dataclasses below. The minutes to each milestone are
stored per incident by the database (Incident.minutes_to_*, generated columns), and the
trend's completed months are stored whole and dropped when anything of theirs changes
(summaries.py). Only counts and times leave this
module — never an incident's title — so restricted incidents are counted without showing
anything of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from warroom.catalog.models import System
from warroom.evaluation import summaries
from warroom.evaluation.aggregates import Percentiles
from warroom.evaluation.models import Feedback
from warroom.evaluation.periods import Period, trend_months
from warroom.incidents.models import Incident, IncidentSystem, Status
from warroom.incidents.queries import DEADLINES
from warroom.people.models import Department
from warroom.plan.queries import NoPlanError, current_plan
from warroom.plan.schema import Plan

MILESTONES = tuple(name for name, _due, _done in DEADLINES)
PERCENTILES = (0.5, 0.9)
GROUP = "grp"
BREAKDOWNS = ("level", "category", "system", "department")
OVERALL = "overall"
MONTH = "month"


@dataclass(frozen=True)
class Measure:
    """One milestone in one group: how many reached it, the median and 90th percentile of the
    minutes it took (None without any), and its plan targets met out of those decided."""

    reached: int = 0
    p50: float | None = None
    p90: float | None = None
    met: int = 0
    decided: int = 0

    @property
    def met_share(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class FeedbackSummary:
    sent: int = 0
    answered: int = 0
    score_total: int = 0

    @property
    def average(self) -> float | None:
        return round(self.score_total / self.answered, 2) if self.answered else None

    def __add__(self, other: FeedbackSummary) -> FeedbackSummary:
        return FeedbackSummary(
            self.sent + other.sent,
            self.answered + other.answered,
            self.score_total + other.score_total,
        )


@dataclass(frozen=True)
class Row:
    """The metrics of one group: a level, a category, a system, a department, a month, or all
    incidents of the period (key '')."""

    key: str
    name: str
    incidents: int = 0
    measures: dict[str, Measure] = field(default_factory=dict)
    feedback: FeedbackSummary | None = None

    def measure(self, milestone: str) -> Measure:
        return self.measures.get(milestone) or Measure()

    @property
    def in_order(self) -> list[Measure]:
        """The measures of MILESTONES, in that order (empty ones for a group without data)."""
        return [self.measure(m) for m in MILESTONES]

    @property
    def targets_met(self) -> int:
        return sum(m.met for m in self.measures.values())

    @property
    def targets_decided(self) -> int:
        return sum(m.decided for m in self.measures.values())

    @property
    def met_share(self) -> float | None:
        decided = self.targets_decided
        return self.targets_met / decided if decided else None


@dataclass(frozen=True)
class Evaluation:
    """What the dashboard shows for one period."""

    period: Period
    overall: Row
    breakdowns: dict[str, list[Row]]
    trend: list[Row]  # the last 12 months up to the period's end, oldest first; key 'YYYY-MM'


@dataclass(frozen=True)
class IncidentFeedback:
    """The survey answers about one incident, for its report."""

    sent: int
    answers: list[Feedback]  # answered ones, oldest first

    @property
    def average(self) -> float | None:
        scores = [a.score for a in self.answers if a.score is not None]
        return round(sum(scores) / len(scores), 2) if scores else None


# --- the rows each breakdown aggregates -----------------------------------------------------


def _real(prefix: str, start: dt.datetime, end: dt.datetime) -> Q:
    """Real incidents reported in [start, end), seen through `prefix` ('' or 'incident__').

    Cancelled is excluded rather than the other states named: with `status IN (…)` SQLite
    reads the period through the (status, reported_at) index, eight ranges and a table row
    per incident; with `NOT status = …` both databases read it as one range of the index
    that starts with reported_at (Incident.Meta.indexes), which holds every column read
    here, so PostgreSQL never visits the table. (SQLite 3.40 still reads the rows: it does
    not take generated columns from an index.)"""
    return Q(
        **{
            f"{prefix}is_drill": False,
            f"{prefix}reported_at__gte": start,
            f"{prefix}reported_at__lt": end,
        }
    ) & ~Q(**{f"{prefix}status": Status.CANCELLED})


def _measured(rows: QuerySet[Any], prefix: str, now: dt.datetime) -> QuerySet[Any]:
    """Per row and milestone: `d_<m>` minutes from the report (NULL if not reached),
    `met_<m>` 1 if reached by its due time, `t_<m>` 1 if its target is decided."""
    annotations: dict[str, Any] = {}
    for name, due, done in DEADLINES:
        # Stored by the database on every write (Incident.minutes_to_*).
        annotations[f"d_{name}"] = F(f"{prefix}minutes_to_{name}")
        annotations[f"met_{name}"] = Case(
            When(Q(**{f"{prefix}{done}__lte": F(f"{prefix}{due}")}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        annotations[f"t_{name}"] = Case(
            When(
                Q(**{f"{prefix}{due}__isnull": False})
                & (Q(**{f"{prefix}{done}__isnull": False}) | Q(**{f"{prefix}{due}__lt": now})),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    return rows.annotate(**annotations)


def _month_key(field_name: str, months: list[Period]) -> Case:
    """'YYYY-MM' of the month a timestamp falls in (months in the server's time zone), as plain
    comparisons: Django's TruncMonth would call a Python function per row on SQLite."""
    whens = [
        When(Q(**{f"{field_name}__gte": m.start_at}), then=Value(m.start.strftime("%Y-%m")))
        for m in reversed(months)
    ]
    return Case(*whens, default=Value(""), output_field=CharField())


def _source(by: str, start: dt.datetime, end: dt.datetime, months: list[Period]) -> QuerySet[Any]:
    """The rows to aggregate for a breakdown, each with its group key `grp`: one per incident,
    or for system and department one per incident and system (department)."""
    if by in (OVERALL, "level", "category", MONTH):
        key: Any = {
            OVERALL: Value(""),
            "level": F("level"),
            "category": F("category"),
            MONTH: _month_key("reported_at", months),
        }[by]
        return Incident.objects.filter(_real("", start, end)).annotate(**{GROUP: key})
    links = IncidentSystem.objects.filter(_real("incident__", start, end))
    if by == "system":
        return links.annotate(**{GROUP: F("system_id")})
    if by == "department":
        # An incident hitting two systems of one department counts once for it: of its links
        # to that department's systems only the first is kept.
        earlier = IncidentSystem.objects.filter(
            incident_id=OuterRef("incident_id"),
            system__owner_department_id=OuterRef("system__owner_department_id"),
            pk__lt=OuterRef("pk"),
        )
        return links.filter(~Exists(earlier)).annotate(**{GROUP: F("system__owner_department_id")})
    raise ValueError(f"unknown breakdown {by!r}")


def _summaries(
    by: str,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    months: list[Period],
    *,
    pending: bool = False,
) -> dict[str, dict[str, Any]]:
    """One aggregate query: per group key, `n` rows and per milestone `d_<m>_n` reached,
    `d_<m>_p50` / `d_<m>_p90` minutes, `met_<m>_sum` and `t_<m>_sum` targets; with
    `pending`, `pending_<m>` the first due time at or after `now` of a target not reached
    (None without any), when the group's targets decided next change. Groups without rows
    are left out."""
    prefix = "incident__" if by in ("system", "department") else ""
    rows = _measured(_source(by, start, end, months), prefix, now)
    percentiles = Percentiles(*[f"d_{m}" for m in MILESTONES], fractions=PERCENTILES)
    aggregates: dict[str, Any] = {"n": Count("*"), "pct": percentiles}
    for m, due, _done in DEADLINES:
        aggregates[f"d_{m}_n"] = Count(f"d_{m}")
        aggregates[f"met_{m}_sum"] = Sum(f"met_{m}")
        aggregates[f"t_{m}_sum"] = Sum(f"t_{m}")
        if pending:
            aggregates[f"pending_{m}"] = Min(
                Case(
                    When(
                        Q(**{f"d_{m}__isnull": True, f"{prefix}{due}__gte": now}),
                        then=F(f"{prefix}{due}"),
                    ),
                    output_field=DateTimeField(),
                )
            )
    result = rows.values(GROUP).annotate(**aggregates).order_by()
    summaries = {}
    for item in result:
        if item["n"]:
            for m, (p50, p90) in zip(MILESTONES, percentiles.split(item["pct"]), strict=True):
                item[f"d_{m}_p50"], item[f"d_{m}_p90"] = p50, p90
            summaries[_key(item[GROUP])] = item
    return summaries


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def _minutes(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _row(key: str, name: str, data: dict[str, Any] | None, **extra: Any) -> Row:
    if data is None:
        return Row(key, name, **extra)
    measures = {
        m: Measure(
            reached=data[f"d_{m}_n"] or 0,
            p50=_minutes(data[f"d_{m}_p50"]),
            p90=_minutes(data[f"d_{m}_p90"]),
            met=int(data[f"met_{m}_sum"] or 0),
            decided=int(data[f"t_{m}_sum"] or 0),
        )
        for m in MILESTONES
    }
    return Row(key, name, int(data["n"]), measures, **extra)


# --- names ----------------------------------------------------------------------------------


def _plan() -> Plan | None:
    try:
        return current_plan()
    except NoPlanError:
        return None


def _language() -> str:
    return "zh-hans" if (get_language() or "en").startswith("zh") else "en"


def _named(by: str, keys: Iterable[str]) -> list[tuple[str, str]]:
    """(key, display name) for the keys of a breakdown, in the order to show them: levels by
    severity and categories as the plan lists them; systems and departments by name."""
    keys = list(keys)
    lang = _language()
    if by in ("level", "category"):
        plan = _plan()
        items = list(plan.impact_levels if by == "level" else plan.risk_categories) if plan else []
        order = {item.code: i for i, item in enumerate(items)}
        names = {item.code: item.name.get(lang) for item in items}
        ranked = sorted(keys, key=lambda k: (k == "", order.get(k, len(order)), k))
        return [(k, names.get(k) or k or _("not assessed")) for k in ranked]
    model: Any = {"system": System, "department": Department}[by]
    objects = model.objects.in_bulk([int(k) for k in keys]) if keys else {}
    named = [(k, str(objects[int(k)]) if int(k) in objects else k) for k in keys]
    return sorted(named, key=lambda item: item[1].lower())


# --- feedback -------------------------------------------------------------------------------


def _feedback(
    by: str, start: dt.datetime, end: dt.datetime, months: list[Period]
) -> dict[str, Any]:
    """Survey counts per level (or month) of the incidents reported in [start, end)."""
    key = _month_key("incident__reported_at", months) if by == MONTH else F("incident__level")
    result = (
        Feedback.objects.filter(_real("incident__", start, end))
        .values(grp=key)
        .annotate(sent=Count("pk"), answered=Count("score"), total=Sum("score"))
        .order_by()
    )
    return {
        _key(item["grp"]): FeedbackSummary(item["sent"], item["answered"], item["total"] or 0)
        for item in result
    }


def feedback_for(incident: Incident) -> IncidentFeedback:
    rows = list(Feedback.objects.filter(incident=incident).order_by("submitted_at", "pk"))
    return IncidentFeedback(
        sent=len(rows), answers=[row for row in rows if row.submitted_at is not None]
    )


# --- what the pages, the API and the export read --------------------------------------------


def breakdown(
    period: Period,
    by: str,
    *,
    now: dt.datetime | None = None,
    feedback: dict[str, FeedbackSummary] | None = None,
) -> list[Row]:
    """The period's metrics per level, category, system or department (one query, plus one for
    the names of systems or departments, plus the feedback per level unless given). A system
    or department row counts each incident affecting it, so the rows can add up to more than
    the period's incidents; an incident with no system is in no system's row."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    now = now or timezone.now()
    data = _summaries(by, period.start_at, period.end_at, now, [])
    if by == "level" and feedback is None:
        feedback = _feedback("level", period.start_at, period.end_at, [])
    return [
        _row(key, name, data[key], feedback=feedback.get(key, FeedbackSummary()))
        if by == "level" and feedback is not None
        else _row(key, name, data[key])
        for key, name in _named(by, data)
    ]


def overall(
    period: Period,
    *,
    now: dt.datetime | None = None,
    feedback: dict[str, FeedbackSummary] | None = None,
) -> Row:
    """All real incidents of the period, with their feedback (two queries, one when the
    feedback per level is given)."""
    now = now or timezone.now()
    data = _summaries(OVERALL, period.start_at, period.end_at, now, []).get("")
    if feedback is None:
        feedback = _feedback("level", period.start_at, period.end_at, [])
    return _row("", _("All incidents"), data, feedback=sum(feedback.values(), FeedbackSummary()))


def _months(months: list[Period], now: dt.datetime) -> dict[str, Row]:
    """One row per month (consecutive months, oldest first), computed now: two queries."""
    start, end = months[0].start_at, months[-1].end_at
    data = _summaries(MONTH, start, end, now, months)
    feedback = _feedback(MONTH, start, end, months)
    keys = [_label(m) for m in months]
    return {k: _row(k, k, data.get(k), feedback=feedback.get(k, FeedbackSummary())) for k in keys}


def _label(month: Period) -> str:
    return month.start.strftime("%Y-%m")


# What _row reads of a _summaries item: what a stored month keeps.
_STORED = (
    "n",
    *(
        key
        for m in MILESTONES
        for key in (f"d_{m}_n", f"d_{m}_p50", f"d_{m}_p90", f"met_{m}_sum", f"t_{m}_sum")
    ),
)


def _computed_months(months: list[Period], now: dt.datetime) -> dict[Period, summaries.Computed]:
    """What summaries.py stores of each month: the numbers of _months but the feedback (one
    query), and until when its targets decided stay as they are."""
    data = _summaries(MONTH, months[0].start_at, months[-1].end_at, now, months, pending=True)
    computed = {}
    for month in months:
        item = data.get(_label(month))
        pending = [item[f"pending_{m}"] for m in MILESTONES if item and item[f"pending_{m}"]]
        computed[month] = summaries.Computed(
            data={k: item[k] for k in _STORED} if item else {},
            valid_until=min(pending) if pending else None,
        )
    return computed


def trend(
    period: Period, *, now: dt.datetime | None = None, current: Row | None = None
) -> list[Row]:
    """One row per month for the 12 months up to the period's end, oldest first; months without
    incidents are there with zeros.

    The period's own month, when the period is a whole month and `current` its overall row,
    is that row. The numbers of the other months already over come from summaries.py
    (stored, and computed again when one of their incidents changed: one query when none
    did), their feedback from one query; a month still running is computed (two queries)."""
    now = now or timezone.now()
    months = trend_months(period)
    own = months[-1] if current is not None and period == months[-1] else None
    over = [m for m in months if m.end_at <= now and m != own]
    running = [m for m in months if m.end_at > now and m != own]
    rows: dict[str, Row] = {}
    if over:
        stored = summaries.stored_months(over, now, _computed_months)
        # Survey answers come in long after a month ends and are cheap to count: never stored.
        feedback = _feedback(MONTH, over[0].start_at, over[-1].end_at, over)
        for month in over:
            label = _label(month)
            rows[label] = _row(
                label,
                label,
                stored[month] or None,
                feedback=feedback.get(label, FeedbackSummary()),
            )
    if own is not None and current is not None:
        rows[_label(own)] = replace(current, key=_label(own), name=_label(own))
    if running:
        rows.update(_months(running, now))
    return [rows[_label(m)] for m in months]


def evaluation(period: Period, *, now: dt.datetime | None = None) -> Evaluation:
    """Everything the dashboard shows, in a fixed number of queries whatever the number of
    incidents: the overall row, the four breakdowns and the monthly trend."""
    now = now or timezone.now()
    feedback = _feedback("level", period.start_at, period.end_at, [])
    total = overall(period, now=now, feedback=feedback)
    return Evaluation(
        period=period,
        overall=total,
        breakdowns={by: breakdown(period, by, now=now, feedback=feedback) for by in BREAKDOWNS},
        trend=trend(period, now=now, current=total),
    )
