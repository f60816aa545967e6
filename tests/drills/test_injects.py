"""Running a drill: injects are scheduled at their offsets, each is sent once (a doubled or
early task does nothing), lost tasks are found by the sweep, and everything the drill touches
is marked as a drill.

These tests serve no webhook (BASE_URL points where nothing listens), so alert injects are
ingested in-process; test_http.py sends them over HTTP to a live server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.drills.conftest import MakeDrill
from warroom.alerts.models import Alert, Integration
from warroom.drills import sending, services
from warroom.drills.models import Drill, Inject
from warroom.incidents.models import Incident, TimelineEvent
from warroom.lib.errors import Conflict, DomainError
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _due_now(inject: Inject) -> None:
    Inject.objects.filter(pk=inject.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))


def test_start_sends_the_first_inject_and_schedules_the_next_at_its_offset(
    paged_commander: User,
    make_drill: MakeDrill,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    drill = make_drill(paged_commander)
    later = services.add_inject(
        drill, actor=paged_commander, kind="report", offset_seconds=600, title="Users report 500s"
    )
    [first] = Inject.objects.filter(drill=drill, offset_seconds=0)

    with django_capture_on_commit_callbacks(execute=True):
        started = services.start_drill(drill, actor=paged_commander)

    assert started.status == "running" and started.started_by == paged_commander
    first.refresh_from_db()
    later.refresh_from_db()
    assert started.started_at is not None
    assert first.due_at == started.started_at
    assert later.due_at == started.started_at + dt.timedelta(seconds=600)
    # The alert at 0 s went at once; the report waits in the queue's schedule for its time.
    assert (first.sent_via, first.attempts, first.error) == ("in_process", 1, "")
    assert first.incident is not None and first.incident.is_drill
    assert later.sent_at is None and later.incident is None
    [scheduled] = [t for t in HUEY.scheduled() if t.name.endswith("task_send_inject")]
    assert scheduled.args == (later.pk,)
    assert abs((scheduled.eta - later.due_at.replace(tzinfo=None)).total_seconds()) < 1


def test_an_inject_is_sent_once_however_often_its_task_runs(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander)
    services.start_drill(drill, actor=paged_commander)  # on_commit not run: no task yet
    [inject] = drill.injects.all()
    Inject.objects.filter(pk=inject.pk).update(due_at=timezone.now() + dt.timedelta(minutes=5))

    assert sending.send_inject(inject.pk) is False  # early: not due yet
    _due_now(inject)
    assert sending.send_inject(inject.pk) is True
    assert sending.send_inject(inject.pk) is False  # doubled task: already claimed

    inject.refresh_from_db()
    assert inject.attempts == 1
    [alert] = Alert.objects.filter(integration__drill=True)
    assert alert.count == 1
    assert alert.fingerprint == f"warroom-drill-{drill.pk}-inject-{inject.pk}-0"
    assert Incident.objects.filter(is_drill=True).count() == 1


def test_everything_the_drill_touches_is_marked_as_a_drill(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander)
    services.start_drill(drill, actor=paged_commander)
    [inject] = drill.injects.all()

    assert sending.send_inject(inject.pk) is True

    inject.refresh_from_db()
    incident = inject.incident
    assert incident is not None
    assert (incident.is_drill, incident.title, incident.source) == (
        True,
        "Database crash drill",
        "alert:alertmanager",
    )
    integration = Integration.objects.get(drill=True)
    assert (integration.kind, integration.name) == ("alertmanager", "Drills (warroom)")
    assert integration.key_prefix == sending.drill_key()[:6]
    [page] = Delivery.objects.filter(incident_id=incident.pk)
    assert page.drill is True
    assert page.subject.startswith("[DRILL] ") and page.body.startswith("[DRILL] ")
    kinds = list(
        TimelineEvent.objects.filter(incident=incident).order_by("seq").values_list("kind", "data")
    )
    assert (
        "drill",
        {"drill": drill.pk, "inject": inject.pk, "kind": "alert", "title": "Database crash drill"},
    ) in kinds
    assert Incident.objects.filter(is_drill=False).count() == 0


def test_a_report_inject_is_reported_by_the_person_who_started_the_drill(
    paged_commander: User, make_drill: MakeDrill, crm: Any
) -> None:
    drill = make_drill(paged_commander, "data_leak_drill", default_injects=False)
    inject = services.add_inject(
        drill,
        actor=paged_commander,
        kind="report",
        title="Customer list on a paste site",
        description="2,000 rows",
        system=crm,
        category="data_leak",
        level="high",
    )
    services.start_drill(drill, actor=paged_commander)

    assert sending.send_inject(inject.pk) is True
    assert sending.send_inject(inject.pk) is False

    inject.refresh_from_db()
    incident = inject.incident
    assert incident is not None
    assert (incident.is_drill, incident.source, incident.reporter, incident.restricted) == (
        True,
        "drill",
        paged_commander,
        True,
    )
    assert (incident.category, incident.level) == ("data_leak", "high")
    assert list(incident.systems.values_list("name", flat=True)) == ["CRM"]
    assert inject.sent_via == "report"


def test_injects_of_a_drill_no_longer_running_are_never_sent(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander)
    services.start_drill(drill, actor=paged_commander)
    services.cancel_drill(drill, actor=paged_commander)
    [inject] = drill.injects.all()

    assert sending.send_inject(inject.pk) is False
    assert Incident.objects.count() == 0


def test_the_sweep_sends_injects_whose_task_was_lost(
    paged_commander: User,
    make_drill: MakeDrill,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    drill = make_drill(paged_commander)
    services.start_drill(drill, actor=paged_commander)  # its task is "lost": never run
    [inject] = drill.injects.all()
    assert sending.sweep() == 0  # due only now: its task may still come
    Inject.objects.filter(pk=inject.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert sending.sweep() == 1

    inject.refresh_from_db()
    assert inject.done_at is not None and inject.incident is not None
    assert sending.sweep() == 0


def test_a_failed_send_is_retried_then_given_up(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander)
    services.start_drill(drill, actor=paged_commander)
    [inject] = drill.injects.all()
    Integration.objects.filter(drill=True).update(drill=False)  # someone unmarked it

    assert sending.send_inject(inject.pk) is False
    inject.refresh_from_db()
    assert "no longer marked as a drill integration" in inject.error
    assert (inject.sent_at, inject.attempts) == (None, 1)  # released for the sweep

    _due_now(inject)
    assert sending.send_inject(inject.pk) is False
    assert sending.send_inject(inject.pk) is False
    inject.refresh_from_db()
    assert inject.attempts == sending.MAX_ATTEMPTS
    assert inject.sent_at is not None  # given up: never claimed again
    assert sending.send_inject(inject.pk) is False
    assert Incident.objects.count() == 0


def test_injects_change_only_while_the_drill_is_planned(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander)
    [inject] = drill.injects.all()
    with pytest.raises(DomainError) as caught:
        services.update_inject(inject, actor=paged_commander, level="extreme")
    assert caught.value.field == "level"
    with pytest.raises(DomainError) as caught:
        services.add_inject(drill, actor=paged_commander, title="bad", payload={"alerts": "none"})
    assert caught.value.field.startswith("payload.")
    services.start_drill(drill, actor=paged_commander)

    with pytest.raises(Conflict):
        services.update_inject(inject, actor=paged_commander, title="later")
    with pytest.raises(Conflict):
        services.start_drill(drill, actor=paged_commander)
    assert Drill.objects.get(pk=drill.pk).status == "running"


def test_a_custom_alertmanager_payload_is_sent_with_the_drill_fingerprints(
    paged_commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(paged_commander, default_injects=False)
    payload = {
        "version": "4",
        "groupKey": '{}:{alertname="PostgresDown"}',
        "status": "firing",
        "receiver": "warroom",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "PostgresDown", "severity": "critical"},
                "annotations": {"summary": "erp-db is down"},
                "fingerprint": "abc",
            }
        ],
    }
    inject = services.add_inject(drill, actor=paged_commander, title="erp-db down", payload=payload)
    services.start_drill(drill, actor=paged_commander)

    assert sending.send_inject(inject.pk) is True

    [alert] = Alert.objects.all()
    assert alert.fingerprint == f"warroom-drill-{drill.pk}-inject-{inject.pk}-0"
    assert alert.labels == {
        "alertname": "PostgresDown",
        "severity": "critical",
        "warroom_drill": str(drill.pk),
    }
    assert alert.incident is not None and alert.incident.title == "erp-db is down"
