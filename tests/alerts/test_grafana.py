"""Grafana alerting webhooks (the documented example payload)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts.models import Alert
from warroom.catalog.models import System
from warroom.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_grafana_firing_and_resolved(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    _, key = make_integration("grafana", default_system=erp, default_category="system_failure")

    response = post(client, am_url(key, "grafana"), payload("grafana/firing"))

    assert (response.status_code, response.json()) == (200, {"status": "success", "accepted": 2})
    alerts = {a.fingerprint: a for a in Alert.objects.all()}
    assert {fp: a.title for fp, a in alerts.items()} == {
        "c6eadffa33fcdf37": "This alert was triggered for zone us-1",
        "bc97ff14869b13e3": "This alert was triggered for zone eu-1",
    }
    memory = alerts["c6eadffa33fcdf37"]
    assert memory.labels == {"alertname": "High memory usage", "team": "blue", "zone": "us-1"}
    assert memory.source == "https://play.grafana.org/alerting/1afz29v7z/edit"
    assert memory.last_payload["values"] == {"B": 44.23943737541908, "C": 1}
    [incident] = Incident.objects.all()
    assert (incident.source, incident.category) == ("alert:grafana", "system_failure")

    post(client, am_url(key, "grafana"), payload("grafana/resolved"))

    memory.refresh_from_db()
    assert (memory.status, memory.count) == ("resolved", 1)
    assert Alert.objects.get(fingerprint="bc97ff14869b13e3").status == "firing"


def test_grafana_key_does_not_open_the_alertmanager_endpoint(
    client: Client, make_integration: Make
) -> None:
    _, key = make_integration("grafana")

    response = post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "no integration with this key"},
    )
