"""The inbox between a webhook's answer and the worker's routing: what is accepted is stored
before the answer, routed in order and in batches, and never dropped."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts import inbox, stores
from warroom.alerts.models import Alert, Inbound, InboxCursor
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.incidents.models import Incident
from warroom.notify.models import Delivery
from warroom.plan.models import PlanRevision, PlanVersion

pytestmark = pytest.mark.django_db


def pd_event(key: str, action: str = "trigger", dedup: str = "disk-1") -> dict[str, Any]:
    body = payload("pagerduty/trigger") | {"routing_key": key, "event_action": action}
    return body | {"dedup_key": dedup}


def test_the_answer_comes_after_the_alerts_are_stored_and_routing_after_that(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty", default_system=crm)
    answer = post(client, "/v2/enqueue", pd_event(key), process=False)
    assert answer.status_code == 202
    [row] = Inbound.objects.all()
    assert (row.items[0]["fingerprint"], row.items[0]["action"]) == ("disk-1", "trigger")
    assert not Alert.objects.exists() and not Incident.objects.exists()

    assert inbox.process_pending() == 1
    assert not Inbound.objects.exists()
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.first_seen) == ("disk-1", row.received_at)
    assert alert.incident is not None and alert.incident.status == "reported"
    assert Delivery.objects.filter(incident_id=alert.incident_id).exists()


def test_requests_are_routed_in_order_in_one_batch(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty", default_system=crm)
    for action in ("trigger", "trigger", "trigger", "resolve"):
        post(client, "/v2/enqueue", pd_event(key, action), process=False)
    post(client, "/v2/enqueue", pd_event(key, dedup="disk-2"), process=False)
    assert inbox.pending() == 5

    assert inbox.process_pending() == 5
    first, second = Alert.objects.order_by("fingerprint")
    assert (first.count, first.status) == (3, "resolved")
    assert (second.count, second.status) == (1, "firing")
    # One incident: the second alert joined the first one's group (same system).
    assert Incident.objects.count() == 1


def test_a_row_that_cannot_be_processed_is_kept_and_marked_failed_and_later_rows_wait(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    integration, key = make_integration("pagerduty", default_system=crm)
    Inbound.objects.create(
        integration=integration, received_at=timezone.now(), items=[{"not": "an alert"}], size=1
    )
    post(client, "/v2/enqueue", pd_event(key), process=False)

    for attempt in range(1, inbox.MAX_ATTEMPTS):
        with pytest.raises(inbox.RowFailed):
            inbox.process_pending()
        bad = Inbound.objects.get(failed=False, size=1, items__0__not="an alert")
        assert bad.attempts == attempt
        assert "TypeError" in bad.error
        # The event sent after it must not overtake it (it could be its resolve).
        assert not Alert.objects.exists()
    assert inbox.process_pending() == 2  # the last attempt gives up; the event goes through
    bad.refresh_from_db()
    assert bad.failed
    assert (inbox.pending(), inbox.failed()) == (0, 1)
    assert Alert.objects.get().fingerprint == "disk-1"
    assert inbox.process_pending() == 0  # a failed row is not retried for ever


def test_the_file_store_routes_each_row_once(
    client: Client,
    make_integration: Make,
    crm: System,
    paged_commander: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Beside a SQLite database file the inbox is a file of its own (stores.FileStore)."""
    store = stores.FileStore(tmp_path / "warroom-inbox.sqlite3")
    monkeypatch.setattr(stores, "current", lambda: store)
    _, key = make_integration("pagerduty", default_system=crm)
    post(client, "/v2/enqueue", pd_event(key), process=False)
    post(client, "/v2/enqueue", pd_event(key), process=False)
    assert (store.pending(), Inbound.objects.count()) == (2, 0)

    # The worker dies after its commit, before the file forgets the rows: the cursor in the
    # database still says they were routed.
    assert inbox.process_pending() == 2
    assert store.pending() == 0
    assert inbox.process_pending() == 0
    assert Alert.objects.get().count == 2
    assert InboxCursor.objects.get().last_id == 2

    post(client, "/v2/enqueue", pd_event(key, "resolve"), process=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.process_pending() == 1
    assert Alert.objects.get().status == "resolved"
    with sqlite3.connect(tmp_path / "warroom-inbox.sqlite3") as raw:
        assert raw.execute("SELECT count(*) FROM inbound").fetchone()[0] == 0  # forgotten


def test_the_file_store_keeps_a_failing_row_and_lets_the_rest_go(
    make_integration: Make,
    crm: System,
    paged_commander: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = stores.FileStore(tmp_path / "warroom-inbox.sqlite3")
    monkeypatch.setattr(stores, "current", lambda: store)
    integration, _ = make_integration("pagerduty", default_system=crm)
    store.insert(integration.pk, [{"not": "an alert"}])
    store.insert(integration.pk, [Incoming("disk-9", "trigger", "Disk full").to_json()])
    for _ in range(1, inbox.MAX_ATTEMPTS):
        with pytest.raises(inbox.RowFailed):
            inbox.process_pending()
    assert inbox.process_pending() == 2
    assert (store.pending(), store.failed()) == (0, 1)
    assert Alert.objects.get().fingerprint == "disk-9"


def test_without_a_plan_the_webhooks_answer_503_and_stored_rows_wait(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    integration, key = make_integration("alertmanager", default_system=crm)
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"), process=False)
    PlanRevision.objects.all().delete()
    PlanVersion.objects.all().delete()

    refused = post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    assert (refused.status_code, refused["Retry-After"]) == (503, "60")
    assert inbox.process_pending() == 0
    assert Inbound.objects.get(integration=integration).attempts == 0  # waiting, not failing
    assert not Alert.objects.exists()


def test_the_lag_of_the_inbox(client: Client, make_integration: Make, crm: System) -> None:
    integration, _ = make_integration("pagerduty", default_system=crm)
    assert inbox.oldest_wait() == 0.0
    then = timezone.now() - timezone.timedelta(seconds=30)
    Inbound.objects.create(integration=integration, received_at=then, items=[], size=0)
    assert 29 < inbox.oldest_wait() < 60


def test_a_database_error_is_not_counted_against_the_row(
    client: Client,
    make_integration: Make,
    crm: System,
    paged_commander: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, key = make_integration("pagerduty", default_system=crm)
    post(client, "/v2/enqueue", pd_event(key), process=False)

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(inbox.services, "ingest", locked)
    for _ in range(inbox.MAX_ATTEMPTS + 1):
        with pytest.raises(OperationalError):
            inbox.process_pending()
    row = Inbound.objects.get()
    assert (row.attempts, row.failed) == (0, False)  # still waiting, nothing lost
    monkeypatch.undo()
    assert inbox.process_pending() == 1
