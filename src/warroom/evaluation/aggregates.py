"""Database expressions for the evaluation: durations in minutes and percentiles.

Everything here runs inside the database's GROUP BY; Python sees one row per group.

`Percentiles` are PostgreSQL's `percentile_cont` — linear interpolation between the two
nearest ranks — on both databases, so the same history gives the same numbers whichever
database holds it:
- PostgreSQL: the ordered-set aggregate itself, `percentile_cont(ARRAY[0.5, 0.9]) WITHIN
  GROUP (ORDER BY …)`.
- SQLite has no percentile function: warroom registers an aggregate on every connection
  (`register_sqlite_functions`). SQLite runs it inside its own GROUP BY, one step per row
  and group, like its built-in SUM; Python only keeps the values and sorts them at the end.

On SQLite this was chosen over window functions (ROW_NUMBER and COUNT per group and milestone,
then a sum weighted around the interpolated rank), which give the same numbers in plain SQL:
measured on a month of the 100,000-incident bench history, the window query took three times
the CPU of the registered aggregate (each window re-sorts the whole row set in SQLite's
window machinery, where the aggregate only appends to lists and sorts them once), and it
needs hand-written SQL wrapped around the ORM's, where the aggregate keeps one ORM query
for both databases.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, FloatField, Func, JSONField
from django.db.models.sql.compiler import SQLCompiler

SQLITE_PERCENTILES = "warroom_percentiles"


class Percentiles(Aggregate):
    """For each expression, its percentiles at `fractions` over the group's non-NULL values,
    interpolated like PostgreSQL's `percentile_cont`: a list per expression, in order, e.g.
    [[p50, p90] of the first, [p50, p90] of the second]; None for an expression without values.

    One aggregate for several columns, because on SQLite each aggregate in a query costs a
    Python call per row: one call carrying all four milestones cost a fraction of eight
    separate calls (one per milestone and percentile) on the bench history.
    """

    name = "Percentiles"
    output_field = JSONField()

    def __init__(self, *expressions: Any, fractions: Sequence[float]) -> None:
        if not fractions or not all(0 <= p <= 1 for p in fractions):
            raise ValueError(f"percentiles are fractions from 0 to 1, not {fractions!r}")
        self.fractions = tuple(float(p) for p in fractions)
        super().__init__(*expressions)

    def _columns(self, compiler: SQLCompiler) -> tuple[list[str], list[Any]]:
        columns: list[str] = []
        params: list[Any] = []
        for expression in self.source_expressions:
            sql, expression_params = compiler.compile(expression)
            columns.append(sql)
            params.extend(expression_params)
        return columns, params

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(f"Percentiles is not written for {connection.vendor}")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Any:
        columns, params = self._columns(compiler)
        # The fractions are floats checked above, written as literals.
        array = "ARRAY[" + ", ".join(repr(p) for p in self.fractions) + "]::double precision[]"
        parts = [
            f"to_jsonb(percentile_cont({array}) WITHIN GROUP (ORDER BY {column}))"
            for column in columns
        ]
        return f"jsonb_build_array({', '.join(parts)})", tuple(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Any:
        columns, params = self._columns(compiler)
        fractions = ",".join(repr(p) for p in self.fractions)
        return f"{SQLITE_PERCENTILES}('{fractions}', {', '.join(columns)})", tuple(params)

    def split(self, value: Any) -> list[list[float | None]]:
        """The database's answer as one list per expression, Nones where it had no values."""
        width, count = len(self.fractions), len(self.source_expressions)
        rows = list(value) if isinstance(value, list) else []
        rows += [None] * (count - len(rows))
        return [list(row) if isinstance(row, list) else [None] * width for row in rows]


class _SQLitePercentiles:
    """The aggregate behind `warroom_percentiles('0.5,0.9', column, column, ...)` on SQLite."""

    def __init__(self) -> None:
        self.columns: list[list[float]] = []
        self.fractions: list[float] = []

    def step(self, fractions: str, *values: float | None) -> None:
        if not self.fractions:
            self.fractions = [float(p) for p in fractions.split(",")]
            self.columns = [[] for _ in values]
        for column, value in zip(self.columns, values, strict=True):
            if value is not None:
                column.append(value)

    def finalize(self) -> str:
        return json.dumps(
            [
                [percentile_cont(column, p) for p in self.fractions] if column else None
                for column in self.columns
            ]
        )


def percentile_cont(values: list[float], p: float) -> float | None:
    """PostgreSQL's definition: the value at rank 1 + p·(n − 1), interpolated between the
    neighbouring ranks. Sorts `values` in place."""
    if not values:
        return None
    values.sort()
    rank = p * (len(values) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: give every new SQLite connection the percentiles."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILES, -1, _SQLitePercentiles)


class MinutesBetween(Func):
    """Minutes from `start` to `end` as a float; NULL when either is NULL. The expression of
    the generated columns Incident.minutes_to_*, which the database computes on every write
    of an incident, so a query reads the minutes instead of working them out per row.

    Written per database rather than as Django's `F(end) - F(start)`: on SQLite that
    subtraction calls a Python function (not allowed in a generated column), and on
    PostgreSQL it gives an interval where the percentiles want a number. Both forms are
    deterministic (immutable), as generated columns require.
    """

    output_field = FloatField()
    arity = 2

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def _parts(self, compiler: SQLCompiler) -> tuple[str, str, tuple[Any, ...]]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return end, start, (*end_params, *start_params)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(f"MinutesBetween is not written for {connection.vendor}")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        end, start, params = self._parts(compiler)
        return f"(EXTRACT(EPOCH FROM ({end} - {start}))::double precision / 60.0)", params

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        end, start, params = self._parts(compiler)
        # julianday() is a double of days: exact to about 40 µs, so callers round the minutes
        # they show (whole minutes come out as 9.9999999 or 10.0000001).
        return f"((julianday({end}) - julianday({start})) * 1440.0)", params
