"""Drill integrations (plan §6.1): their alerts open drill incidents, paged with "[DRILL]"
texts, and drill and real alerts never share an incident."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts import services
from warroom.alerts.models import Alert
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db


def fire(fingerprint: str) -> Incoming:
    return Incoming(fingerprint=fingerprint, action="trigger", title=f"alert {fingerprint}")


def test_a_drill_integration_opens_a_drill_incident_over_the_webhook(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    integration, key = make_integration(name="drills", drill=True)

    response = post(client, am_url(key), payload("alertmanager/firing_disk"))

    assert response.status_code == 200, response.content
    alert = Alert.objects.get(integration=integration)
    assert alert.incident is not None
    assert (alert.incident.is_drill, alert.incident.source) == (True, "alert:alertmanager")
    [page] = Delivery.objects.filter(incident_id=alert.incident.pk)
    assert page.drill is True
    assert page.subject.startswith("[DRILL] ")
    assert page.body.startswith("[DRILL] ")


def test_an_ordinary_integration_still_opens_real_incidents(
    make_integration: Make, paged_commander: User
) -> None:
    integration, _ = make_integration()

    [alert] = services.ingest(integration, [fire("a")])

    assert alert.incident is not None
    assert alert.incident.is_drill is False
    assert Delivery.objects.get(incident_id=alert.incident.pk).drill is False


def test_drill_and_real_alerts_of_one_group_never_share_an_incident(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    real, _ = make_integration(name="real", default_system=erp)
    drill, _ = make_integration(name="drill", default_system=erp, drill=True)

    [first_real] = services.ingest(real, [fire("a")])
    [first_drill] = services.ingest(drill, [fire("b")])
    [second_drill] = services.ingest(drill, [fire("c")])
    [second_real] = services.ingest(real, [fire("d")])

    assert first_real.incident is not None and first_drill.incident is not None
    assert first_drill.incident != first_real.incident
    assert second_drill.incident == first_drill.incident
    assert second_real.incident == first_real.incident
    assert (first_real.incident.is_drill, first_drill.incident.is_drill) == (False, True)
