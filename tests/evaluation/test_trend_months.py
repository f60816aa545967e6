"""The trend's completed months, stored (summaries.py): read in one query while nothing of
theirs changed, and equal to the same month computed afresh after any change — whatever made
the write. Their feedback is counted on each view, never stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.evaluation.conftest import NOW, TZ, History, MakeIncident, at
from warroom.evaluation import queries, services, summaries
from warroom.evaluation.models import Feedback, TrendChange, TrendMonth
from warroom.evaluation.periods import month
from warroom.evaluation.queries import Row
from warroom.incidents.models import Incident, Status
from warroom.incidents.transitions import transition

pytestmark = pytest.mark.django_db

MARCH = month(2025, 3)


def numbers(row: Row) -> tuple[Any, ...]:
    """Everything a trend row shows, without its key and name."""
    feedback = row.feedback and (row.feedback.sent, row.feedback.answered, row.feedback.average)
    return (row.incidents, row.in_order, feedback)


def march(now: dt.datetime = NOW) -> Row:
    """March as the trend shows it (all 12 months are over on `now`, so March is stored)."""
    return queries.trend(MARCH, now=now)[-1]


def afresh(now: dt.datetime = NOW) -> tuple[Any, ...]:
    """March computed from the incidents, as the period of the page."""
    return numbers(queries.overall(MARCH, now=now))


def test_completed_months_are_stored_then_read_with_their_feedback_in_two_queries(
    history: History, answered: None
) -> None:
    rows = queries.trend(MARCH, now=NOW)
    assert TrendMonth.objects.count() == 12
    assert numbers(rows[-1]) == afresh()
    assert rows[-1].incidents == 5 and rows[-1].measure("assess").p90 == 37.0
    with CaptureQueriesContext(connection) as read:
        assert queries.trend(MARCH, now=NOW) == rows
    assert len(read) == 2  # the stored months, the feedback


def test_a_transition_in_a_stored_month_shows_at_once(history: History) -> None:
    before = march()
    transition(history.c, Status.RECOVERING, actor=None)  # stamps recovering_at
    assert march().measure("mitigate").reached == before.measure("mitigate").reached + 1
    transition(history.d, Status.CANCELLED, actor=None, reason="false alarm")
    assert march().incidents == 4
    assert numbers(march()) == afresh()


def test_writes_that_bypass_the_models_are_noticed_too(
    history: History, make_incident: MakeIncident
) -> None:
    march()
    Incident.objects.filter(pk=history.b.pk).update(is_drill=True)
    assert (march().incidents, numbers(march())) == (4, afresh())
    acknowledge = march().measure("acknowledge")
    assert (acknowledge.met, acknowledge.decided) == (3, 3)  # A, C and D; B is a drill now
    Incident.objects.filter(pk=history.a.pk).update(
        due_acknowledge=history.a.reported_at + dt.timedelta(minutes=1)
    )
    acknowledge = march().measure("acknowledge")
    assert (acknowledge.met, acknowledge.decided) == (2, 3)  # A was 4 minutes late
    history.e.delete()
    make_incident(at(3, 3), ack=50)  # reported now, then moved into March
    assert (march().incidents, numbers(march())) == (4, afresh())


def test_an_answered_survey_updates_the_stored_month(history: History, answered: None) -> None:
    feedback = march().feedback
    assert feedback is not None and (feedback.answered, feedback.average) == (2, 3.0)
    services.submit_feedback(Feedback.objects.get(incident=history.c), score=5)
    feedback = march().feedback
    assert feedback is not None and (feedback.answered, feedback.average) == (3, 3.67)
    assert numbers(march()) == afresh()


def test_a_target_falling_due_computes_the_month_again(history: History) -> None:
    # D's assessment is due 60 days after its report (19 May): on NOW it is not decided yet.
    assert march().measure("assess").decided == 3
    stored = TrendMonth.objects.get(start_at=MARCH.start_at)
    assert stored.valid_until == history.d.due_assess
    june = dt.datetime(2025, 6, 1, tzinfo=TZ)
    assert march(june).measure("assess").decided == 4
    assert numbers(march(june)) == afresh(june)


def test_an_earlier_now_computes_the_month_again(history: History) -> None:
    march()
    # On 12 March at 11:00 C's mitigation is not yet due (test_metrics), so not decided.
    early = at(3, 12, 11)
    assert numbers(queries.trend(MARCH, now=early)[-2]) == numbers(
        queries.overall(month(2025, 2), now=early)
    )
    assert TrendMonth.objects.get(start_at=month(2025, 2).start_at).computed_for == early
    assert numbers(march()) == afresh()


def test_a_change_to_another_month_leaves_the_stored_months_alone(
    history: History, make_incident: MakeIncident
) -> None:
    rows = queries.trend(MARCH, now=NOW)
    make_incident(at(5, 2), ack=3)
    assert TrendChange.objects.exists()
    with CaptureQueriesContext(connection) as read:
        assert queries.trend(MARCH, now=NOW) == rows
    assert len(read) == 2


def test_the_page_month_is_its_own_row_and_the_others_are_stored(history: History) -> None:
    data = queries.evaluation(MARCH, now=NOW)
    assert data.trend[-1].incidents == data.overall.incidents == 5
    # The period's own month is the overall row; the eleven before it are stored.
    assert TrendMonth.objects.count() == 11


def test_a_migrate_keeps_the_stored_months_while_the_triggers_were_in_place(
    history: History,
) -> None:
    march()
    summaries.install_triggers(sender=None)  # as after every migrate
    assert TrendMonth.objects.count() == 12


def test_a_lost_trigger_is_put_back_and_the_stored_months_dropped(history: History) -> None:
    # As when a migration rebuilds the incidents table on SQLite: its triggers are gone, and
    # writes meanwhile were not logged.
    march()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER evaluation_trend_incident ON incidents_incident")
        else:
            cursor.execute("DROP TRIGGER evaluation_trend_incident_update")
    Incident.objects.filter(pk=history.a.pk).update(is_drill=True)
    assert not TrendChange.objects.exists()
    summaries.install_triggers(sender=None)
    assert not TrendMonth.objects.exists()
    assert (march().incidents, numbers(march())) == (4, afresh())
    Incident.objects.filter(pk=history.b.pk).update(is_drill=True)
    assert TrendChange.objects.count() == 1
    assert (march().incidents, numbers(march())) == (3, afresh())
