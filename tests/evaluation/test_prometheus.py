"""/metrics: an API token or 401; counts by state, outcome, queue and integration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.evaluation.conftest import History
from warroom.alerts.models import Alert, Inbound, Integration
from warroom.api.auth import create_token, revoke_token
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db


def scrape(token: str | None) -> tuple[int, str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client(**headers).get("/metrics")
    return response.status_code, response["Content-Type"], response.content.decode()


def test_metrics_need_a_token(outsider: User) -> None:
    status, _, body = scrape(None)
    assert (status, body) == (401, "authentication required\n")
    assert scrape("wr_not-a-token")[0] == 401
    row, raw = create_token(outsider, name="prometheus", read_only=True)
    revoke_token(row)
    assert scrape(raw)[0] == 401
    # A session is not enough either: Prometheus has none, and the page is not for people.
    client = Client()
    client.force_login(outsider)
    assert client.get("/metrics").status_code == 401


def test_metrics_exposition(history: History, outsider: User) -> None:
    Delivery.objects.create(recipient=outsider, language="en", status="sent")
    Delivery.objects.create(recipient=outsider, language="en", status="dead", drill=True)
    integration = Integration.objects.create(name="prom", kind="alertmanager", key_digest="x" * 64)
    now = timezone.now()
    for fingerprint, status, count in (("a", "firing", 3), ("b", "resolved", 2)):
        Alert.objects.create(
            integration=integration,
            fingerprint=fingerprint,
            status=status,
            title="t",
            count=count,
            first_seen=now - dt.timedelta(minutes=5),
            last_seen=now,
        )
    # One request accepted 40 s ago and not routed yet, one that could not be routed.
    received = now - dt.timedelta(seconds=40)
    Inbound.objects.create(integration=integration, received_at=received, items=[], size=0)
    Inbound.objects.create(
        integration=integration, received_at=received, items=[], size=0, failed=True
    )
    _, raw = create_token(outsider, name="prometheus", read_only=True)
    status, content_type, body = scrape(raw)
    assert status == 200
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    lines = body.splitlines()
    for expected in (
        "# TYPE warroom_incidents gauge",
        # March: 2 resolved + 1 in February; the drill is apart; April's is reported.
        'warroom_incidents{state="resolved",drill="false"} 3',
        'warroom_incidents{state="resolved",drill="true"} 1',
        'warroom_incidents{state="reported",drill="false"} 1',
        'warroom_incidents{state="cancelled",drill="false"} 1',
        'warroom_incidents{state="closed",drill="false"} 1',
        'warroom_incidents{state="reviewing",drill="false"} 0',
        'warroom_deliveries{status="sent",drill="false"} 1',
        'warroom_deliveries{status="dead",drill="true"} 1',
        'warroom_deliveries{status="pending",drill="false"} 0',
        "warroom_queue_up 1",
        "warroom_queue_pending 0",
        "warroom_queue_scheduled 0",
        "warroom_inbox_pending 1",
        "warroom_inbox_failed 1",
        'warroom_alerts{kind="alertmanager",status="firing"} 1',
        'warroom_alerts{kind="alertmanager",status="resolved"} 1',
        'warroom_alerts{kind="grafana",status="firing"} 0',
        "# TYPE warroom_alerts_received_total counter",
        'warroom_alerts_received_total{kind="alertmanager"} 5',
        'warroom_alerts_received_total{kind="pagerduty"} 0',
    ):
        assert expected in lines, expected
    [lag] = [line for line in lines if line.startswith("warroom_inbox_lag_seconds ")]
    assert 40 <= int(lag.split()[1]) < 100
    # Counts only: no incident is named.
    assert history.c.title not in body
    # Every sample line is "name{labels} number" or "name number".
    for line in lines:
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            assert name.startswith("warroom_") and value.isdigit(), line
