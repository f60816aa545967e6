"""The period a set of metrics covers: whole days in the server's time zone.

Metrics count the incidents *reported* in the period (a cohort), so a month's numbers do not
change when an incident of that month is resolved in the next one, except for its times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.lib.errors import DomainError

# A period longer than this is refused: it would only be slow, never useful on one page.
MAX_DAYS = 3660
TREND_MONTHS = 12


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (exclusive bound)."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == _month_end(self.start)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _month_end(first: dt.date) -> dt.date:
    return add_months(first, 1) - dt.timedelta(days=1)


def add_months(first: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month(year: int, number: int) -> Period:
    first = dt.date(year, number, 1)
    return Period(first, _month_end(first))


def this_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return month(today.year, today.month)


def trend_months(period: Period, count: int = TREND_MONTHS) -> list[Period]:
    """The `count` whole months up to and including the one the period ends in, oldest first."""
    last = period.end.replace(day=1)
    return [
        month(first.year, first.month)
        for first in (add_months(last, -i) for i in range(count - 1, -1, -1))
    ]


def parse_period(
    *, start: dt.date | None = None, end: dt.date | None = None, month_text: str = ""
) -> Period:
    """The period asked for: `month_text` ('2025-03') wins, else start..end (either may be
    left out: a missing start is the first of the end's month, a missing end is today), else
    this month. Raises DomainError naming the parameter at fault."""
    if month_text:
        try:
            year, number = (int(part) for part in month_text.split("-"))
            return month(year, number)
        except ValueError as exc:
            raise DomainError("month", _("expected a month as YYYY-MM")) from exc
    if start is None and end is None:
        return this_month()
    end = end or timezone.localdate()
    start = start or end.replace(day=1)
    if end < start:
        raise DomainError("end", _("the end comes before the start"))
    if (end - start).days > MAX_DAYS:
        raise DomainError("end", _("the period may cover at most ten years"))
    return Period(start, end)
