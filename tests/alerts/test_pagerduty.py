"""PagerDuty Events API v2, drop-in at /v2/enqueue (PagerDuty's documented examples, and what
Alertmanager's own pagerduty_configs receiver sends)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alerts.conftest import Make, payload, post
from warroom.alerts.models import Alert
from warroom.catalog.models import System
from warroom.incidents.models import Incident, TimelineEvent
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db

URL = "/v2/enqueue"
INVALID = {"status": "invalid event", "message": "Event object is invalid"}


def event(name: str, key: str, **changes: Any) -> Any:
    body = payload(f"pagerduty/{name}")
    body["routing_key"] = key
    body.update(changes)
    return body


def processed(dedup_key: str) -> dict[str, str]:
    return {"status": "success", "message": "Event processed", "dedup_key": dedup_key}


def test_pagerduty_trigger_acknowledge_resolve(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty", default_system=crm)

    created = post(client, URL, event("trigger", key))

    assert (created.status_code, created.json()) == (202, processed("samplekeyhere"))
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.title, alert.severity, alert.status) == (
        "samplekeyhere",
        "Example alert on host1.example.com",
        "info",
        "firing",
    )
    assert alert.labels == {
        "source": payload("pagerduty/trigger")["payload"]["source"],
        "severity": "info",
        "component": "postgres",
        "group": "prod-datapipe",
        "class": "deploy",
    }
    assert alert.annotations["description"] == "ping time: 1500ms\nload avg: 0.75"
    assert "routing_key" not in alert.last_payload
    incident = Incident.objects.get()
    assert (incident.status, incident.source) == ("reported", "alert:pagerduty")
    assert Delivery.objects.filter(incident_id=incident.pk, recipient=paged_commander).exists()

    # A repeat with the same dedup_key is the same alert.
    again = post(client, URL, event("trigger", key))
    assert (again.status_code, again.json()) == (202, processed("samplekeyhere"))
    assert Alert.objects.get().count == 2

    acked = post(client, URL, event("acknowledge", key, dedup_key="samplekeyhere"))

    assert (acked.status_code, acked.json()) == (202, processed("samplekeyhere"))
    incident.refresh_from_db()
    assert incident.status == "acknowledged"
    assert incident.acknowledged_at is not None
    status = TimelineEvent.objects.get(incident=incident, kind="status")
    assert status.actor is None
    assert status.data == {
        "from": "reported",
        "to": "acknowledged",
        "reason": "acknowledge event from pagerduty test",
    }

    resolved = post(client, URL, event("resolve", key, dedup_key="samplekeyhere"))

    assert (resolved.status_code, resolved.json()) == (202, processed("samplekeyhere"))
    alert.refresh_from_db()
    assert (alert.status, alert.count) == ("resolved", 2)
    assert alert.resolved_at is not None
    assert Incident.objects.count() == 1
    assert Delivery.objects.filter(incident_id=incident.pk).count() == 1


def test_pagerduty_trigger_without_dedup_key_gets_one(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty")
    body = event("trigger", key)
    del body["dedup_key"]

    response = post(client, URL, body)

    assert response.status_code == 202
    dedup_key = response.json()["dedup_key"]
    assert re.fullmatch(r"[0-9a-f]{32}", dedup_key)
    assert response.json() == processed(dedup_key)
    assert Alert.objects.get().fingerprint == dedup_key
    # Without a dedup_key every trigger is a new alert, as in PagerDuty.
    post(client, URL, body)
    assert Alert.objects.count() == 2


def test_pagerduty_acknowledge_only_moves_a_reported_incident(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    from warroom.incidents.services import acknowledge_incident, assess_incident

    _, key = make_integration("pagerduty", default_system=crm)
    post(client, URL, event("trigger", key))
    incident = Incident.objects.get()
    acknowledge_incident(incident, actor=paged_commander)
    assess_incident(incident, actor=paged_commander, level="low", category="system_failure")

    acked = post(client, URL, event("acknowledge", key, dedup_key="samplekeyhere"))

    assert acked.status_code == 202
    incident.refresh_from_db()
    assert incident.status == "assessed"


def test_pagerduty_unknown_dedup_key_acknowledge_is_accepted_and_changes_nothing(
    client: Client, make_integration: Make
) -> None:
    _, key = make_integration("pagerduty")

    response = post(client, URL, event("acknowledge", key, dedup_key="never-seen"))

    assert (response.status_code, response.json()) == (202, processed("never-seen"))
    assert Alert.objects.count() == 0


def test_pagerduty_resolve_of_an_unknown_alert_is_recorded(
    client: Client, make_integration: Make
) -> None:
    _, key = make_integration("pagerduty")

    response = post(client, URL, event("resolve", key, dedup_key="never-seen"))

    assert response.status_code == 202
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.status, alert.incident) == ("never-seen", "resolved", None)
    assert Incident.objects.count() == 0


def test_pagerduty_from_alertmanager_trigger_then_resolve(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty", default_system=crm, auto_resolve=True)
    dedup = "65b763c20b1fc3c5c70aebe5169a0919b67155a292ce47c2d12d02661b6351b3"

    fired = post(client, URL, event("alertmanager_trigger", key))
    assert (fired.status_code, fired.json()) == (202, processed(dedup))
    incident = Incident.objects.get()
    assert incident.title.startswith("[FIRING:1] DiskWillFillIn4Hours crm")
    assert Alert.objects.get().severity == "error"

    done = post(client, URL, event("alertmanager_resolve", key))

    assert (done.status_code, done.json()) == (202, processed(dedup))
    incident.refresh_from_db()
    assert (incident.status, incident.cancel_reason) == ("cancelled", "all alerts resolved")


def test_pagerduty_missing_routing_key(client: Client, make_integration: Make) -> None:
    body = event("trigger", "x")
    del body["routing_key"]

    response = post(client, URL, body)

    assert response.status_code == 400
    assert response.json() == {**INVALID, "errors": ["'routing_key' is missing or blank"]}


def test_pagerduty_bad_event_action(client: Client, make_integration: Make) -> None:
    _, key = make_integration("pagerduty")

    response = post(client, URL, event("trigger", key, event_action="explode"))

    assert response.status_code == 400
    assert response.json() == {
        **INVALID,
        "errors": ["'event_action' is invalid (must be one of: trigger, acknowledge, resolve)"],
    }
    assert Alert.objects.count() == 0


def test_pagerduty_missing_summary(client: Client, make_integration: Make) -> None:
    _, key = make_integration("pagerduty")
    body = event("trigger", key)
    del body["payload"]["summary"]

    response = post(client, URL, body)

    assert response.status_code == 400
    assert response.json() == {**INVALID, "errors": ["'payload.summary' is missing or blank"]}


def test_pagerduty_lists_every_problem(client: Client, make_integration: Make) -> None:
    _, key = make_integration("pagerduty")
    body = {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {"summary": "", "source": 7, "severity": "fatal"},
        "links": [{"text": "no href"}],
    }

    response = post(client, URL, body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        "'payload.summary' is missing or blank",
        "'payload.source' is missing or blank",
        "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
        "'links[0].href' is missing or blank",
    ]


def test_pagerduty_resolve_needs_a_dedup_key(client: Client, make_integration: Make) -> None:
    _, key = make_integration("pagerduty")

    response = post(client, URL, {"routing_key": key, "event_action": "resolve"})

    assert response.status_code == 400
    assert response.json() == {**INVALID, "errors": ["'dedup_key' is missing or blank"]}


def test_pagerduty_wrong_routing_key(client: Client, make_integration: Make) -> None:
    _, am_key = make_integration("alertmanager")

    for key in ("R0UT1NGKEY0123456789abcdefABCDEF", am_key):
        response = post(client, URL, event("trigger", key))
        assert response.status_code == 404
        assert response.json() == {**INVALID, "errors": ["Invalid routing key"]}


def test_pagerduty_malformed_json(client: Client) -> None:
    response = post(client, URL, b'{"routing_key": "abc", ')

    assert response.status_code == 400
    body = response.json()
    assert {k: body[k] for k in ("status", "message")} == INVALID
    assert body["errors"][0].startswith("malformed JSON: Expecting property name")


def test_pagerduty_get_is_not_allowed(client: Client) -> None:
    assert client.get(URL).status_code == 405
