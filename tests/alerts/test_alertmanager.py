"""Alertmanager webhooks (payload version 4, captured from Debian's Alertmanager 0.25)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts.models import Alert
from warroom.catalog.models import System
from warroom.incidents.models import Incident, TimelineEvent
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db

WEB1, WEB2 = "a790d9313d06c869", "d31b39d79c6627b4"


def test_alertmanager_firing_opens_one_incident_and_pages(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, key = make_integration(default_system=erp, default_level="high")

    response = post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "success", "accepted": 2}
    alerts = {a.fingerprint: a for a in Alert.objects.all()}
    assert set(alerts) == {WEB1, WEB2}
    web1 = alerts[WEB1]
    assert (web1.status, web1.count, web1.title, web1.severity) == (
        "firing",
        1,
        "ERP error rate above 5%",
        "critical",
    )
    assert web1.labels["instance"] == "erp-web-1:9100"
    assert web1.source.startswith("http://prometheus.example.com:9090/graph?")
    assert (web1.system, web1.level, web1.suppressed_by) == (erp, "high", "")
    # Both alerts of the erp system within the window: one incident.
    [incident] = Incident.objects.all()
    assert web1.incident == alerts[WEB2].incident == incident
    assert (incident.title, incident.status, incident.source, incident.level) == (
        "ERP error rate above 5%",
        "reported",
        "alert:alertmanager",
        "high",
    )
    assert incident.reporter is None
    assert list(incident.systems.values_list("name", flat=True)) == ["ERP"]
    assert incident.description.startswith(
        "5xx responses are 12% of all requests on erp-web-1 for 5 minutes.\n"
    )
    assert incident.noticed_at is not None and incident.noticed_at.year == 2026
    # The page: a delivery row for the commander's contact method, in this transaction.
    [delivery] = Delivery.objects.filter(incident_id=incident.pk)
    assert (delivery.recipient, delivery.status) == (paged_commander, "pending")
    assert "ERP error rate above 5%" in delivery.subject
    kinds = list(TimelineEvent.objects.filter(incident=incident).values_list("kind", "data"))
    assert [k for k, _ in kinds] == ["reported", "paged", "alert"]
    assert kinds[2][1] == {
        "integration": integration.name,
        "count": 2,
        "titles": ["ERP error rate above 5%"],
        "alert_ids": [alerts[WEB1].pk, alerts[WEB2].pk],
    }


def test_alertmanager_repeat_counts_and_pages_once(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    _, key = make_integration(default_system=erp)
    first = payload("alertmanager/firing_two_alerts")
    post(client, am_url(key), first)
    seen = Alert.objects.get(fingerprint=WEB1).last_seen

    for _ in range(2):
        assert post(client, am_url(key), first).status_code == 200

    web1 = Alert.objects.get(fingerprint=WEB1)
    assert (web1.count, web1.status) == (3, "firing")
    assert web1.last_seen > seen
    assert Alert.objects.count() == 2
    assert Incident.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_alertmanager_resolve_closes_the_alert(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    _, key = make_integration(default_system=erp)
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    post(client, am_url(key), payload("alertmanager/one_resolved_one_firing"))

    web1, web2 = Alert.objects.get(fingerprint=WEB1), Alert.objects.get(fingerprint=WEB2)
    assert (web1.status, web1.count) == ("resolved", 1)
    assert web1.resolved_at is not None
    assert (web2.status, web2.count, web2.resolved_at) == ("firing", 2, None)
    post(client, am_url(key), payload("alertmanager/all_resolved"))
    assert Alert.objects.get(fingerprint=WEB2).status == "resolved"
    # Without auto_resolve the incident stays as the team left it.
    assert Incident.objects.get().status == "reported"


def test_alertmanager_all_resolved_cancels_with_auto_resolve(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    _, key = make_integration(default_system=erp, auto_resolve=True)
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    post(client, am_url(key), payload("alertmanager/one_resolved_one_firing"))
    assert Incident.objects.get().status == "reported"

    post(client, am_url(key), payload("alertmanager/all_resolved"))

    incident = Incident.objects.get()
    assert (incident.status, incident.cancel_reason) == ("cancelled", "all alerts resolved")
    last = TimelineEvent.objects.filter(incident=incident, kind="status").order_by("-seq").first()
    assert last is not None and last.actor is None
    assert last.data == {"from": "reported", "to": "cancelled", "reason": "all alerts resolved"}


def test_alertmanager_auto_resolve_after_assessment_only_notes_it(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    from warroom.incidents.services import acknowledge_incident, assess_incident

    _, key = make_integration(default_system=erp, auto_resolve=True)
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    incident = Incident.objects.get()
    acknowledge_incident(incident, actor=paged_commander)
    assess_incident(incident, actor=paged_commander, level="high", category="system_failure")

    post(client, am_url(key), payload("alertmanager/one_resolved_one_firing"))
    post(client, am_url(key), payload("alertmanager/all_resolved"))

    incident.refresh_from_db()
    assert incident.status == "assessed"
    last = TimelineEvent.objects.filter(incident=incident).order_by("-seq").first()
    assert last is not None and last.kind == "alerts_resolved"


def test_alertmanager_without_system_or_grouping_opens_one_incident_per_alert(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    _, key = make_integration()

    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    assert Incident.objects.count() == 2
    assert set(Alert.objects.values_list("group_key", flat=True)) == {""}


def test_alertmanager_group_by_labels_without_system(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    _, key = make_integration(default_group_by=["alertname", "service"])

    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    post(client, am_url(key), payload("alertmanager/firing_disk"))

    assert Incident.objects.count() == 2
    assert set(Alert.objects.values_list("group_key", flat=True)) == {
        "-|alertname=HighErrorRate|service=erp",
        "-|alertname=DiskWillFillIn4Hours|service=crm",
    }


def test_alertmanager_schema_error_names_the_field(client: Client, make_integration: Make) -> None:
    _, key = make_integration()
    body: dict[str, Any] = payload("alertmanager/firing_two_alerts")
    body["alerts"][1]["labels"]["instance"] = 9100
    del body["groupKey"]

    response = post(client, am_url(key), body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "groupKey"], "msg": "Field required", "type": "missing"},
            {
                "loc": ["body", "alerts", 1, "labels", "instance"],
                "msg": "Input should be a valid string",
                "type": "string_type",
            },
        ]
    }
    assert Alert.objects.count() == 0
