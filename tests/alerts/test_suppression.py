"""Silences and maintenance windows: alerts are recorded, nobody is paged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts import configure, services
from warroom.alerts.models import Alert
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError
from warroom.notify.models import Delivery

pytestmark = pytest.mark.django_db


def in_hours(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def test_silenced_alerts_are_recorded_and_page_nobody(
    client: Client, make_integration: Make, erp: System, paged_commander: User
) -> None:
    _, key = make_integration(default_system=erp)
    silence = configure.create_silence(
        matchers=[{"label": "alertname", "op": "=", "value": "HighErrorRate"}],
        ends_at=in_hours(2),
        comment="known: erp deploy in progress",
        created_by=paged_commander,
    )

    response = post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    assert response.status_code == 200
    rows = list(Alert.objects.values_list("status", "suppressed_by", "incident"))
    assert rows == [("firing", f"silence:{silence.pk}", None)] * 2
    assert Incident.objects.count() == 0
    assert Delivery.objects.count() == 0
    # Other alerts still page.
    post(client, am_url(key), payload("alertmanager/firing_disk"))
    assert Incident.objects.count() == 1


def test_maintenance_of_the_routed_system_pages_nobody(
    client: Client, make_integration: Make, erp: System, crm: System, paged_commander: User
) -> None:
    _, key = make_integration(default_system=erp)
    window = configure.create_maintenance(
        systems=[erp],
        starts_at=in_hours(-1),
        ends_at=in_hours(1),
        reason="ERP upgrade to 9.2",
        created_by=paged_commander,
    )

    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))

    assert set(Alert.objects.values_list("suppressed_by", flat=True)) == {
        f"maintenance:{window.pk}"
    }
    assert Incident.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_maintenance_by_matchers(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration()
    window = configure.create_maintenance(
        matchers=[{"label": "host", "op": "=~", "value": "db-[0-9]+"}],
        ends_at=in_hours(1),
        reason="database patching",
        created_by=paged_commander,
    )
    incoming = [
        Incoming(fingerprint="1", action="trigger", title="db", labels={"host": "db-12"}),
        Incoming(fingerprint="2", action="trigger", title="web", labels={"host": "web-1"}),
    ]

    db, web = services.ingest(integration, incoming)

    assert (db.suppressed_by, db.incident) == (f"maintenance:{window.pk}", None)
    assert (web.suppressed_by, web.incident is not None) == ("", True)


def test_a_future_or_ended_silence_does_not_apply(
    make_integration: Make, paged_commander: User
) -> None:
    integration, _ = make_integration()
    matchers = [{"label": "team", "op": "=", "value": "blue"}]
    configure.create_silence(
        matchers=matchers,
        starts_at=in_hours(1),
        ends_at=in_hours(2),
        comment="later",
        created_by=None,
    )
    ended = configure.create_silence(
        matchers=matchers, ends_at=in_hours(1), comment="over", created_by=None
    )
    configure.expire_silence(ended)

    [alert] = services.ingest(
        integration,
        [Incoming(fingerprint="1", action="trigger", title="t", labels={"team": "blue"})],
    )

    assert (alert.suppressed_by, alert.incident is not None) == ("", True)


def test_a_suppressed_alert_still_firing_after_the_silence_pages(
    make_integration: Make, paged_commander: User
) -> None:
    integration, _ = make_integration()
    silence = configure.create_silence(
        matchers=[{"label": "team", "op": "=", "value": "blue"}],
        ends_at=in_hours(1),
        comment="maintenance",
        created_by=None,
    )
    item = Incoming(fingerprint="1", action="trigger", title="t", labels={"team": "blue"})
    [alert] = services.ingest(integration, [item])
    assert alert.suppressed_by == f"silence:{silence.pk}"

    configure.expire_silence(silence)
    services.ingest(integration, [item])

    alert.refresh_from_db()
    assert (alert.suppressed_by, alert.count) == ("", 2)
    assert alert.incident is not None
    assert Delivery.objects.filter(incident_id=alert.incident_id).count() == 1


def test_silence_needs_a_matcher_a_comment_and_a_future_end(paged_commander: User) -> None:
    cases = [
        ({"matchers": []}, "matchers"),
        ({"matchers": [{"label": "a", "op": "~", "value": "b"}]}, "matchers.0.op"),
        ({"matchers": [{"label": "a", "op": "=~", "value": "(b"}]}, "matchers.0.value"),
        ({"comment": " "}, "comment"),
        ({"ends_at": in_hours(-1)}, "ends_at"),
    ]
    for change, field in cases:
        fields = {
            "matchers": [{"label": "a", "op": "=", "value": "b"}],
            "ends_at": in_hours(1),
            "comment": "why",
            "created_by": None,
            **change,
        }
        with pytest.raises(DomainError) as caught:
            configure.create_silence(**fields)
        assert caught.value.field == field


def test_maintenance_needs_a_system_or_a_matcher(paged_commander: User) -> None:
    with pytest.raises(DomainError) as caught:
        configure.create_maintenance(ends_at=in_hours(1), reason="x", created_by=None)
    assert caught.value.field == "systems"


def test_a_silence_made_by_another_process_applies_within_a_second(
    make_integration: Make, erp: System, paged_commander: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Routing reads silences (and rules and windows) through a one-second cache per process;
    a change made in the same process applies at once (the other tests), one made by
    another process — here a write that sends no signals — once the second has passed."""
    from warroom.alerts import queries
    from warroom.alerts.models import Silence

    integration, _ = make_integration(default_system=erp)

    def fire(name: str) -> Alert:
        item = Incoming(fingerprint=name, action="trigger", title=name, labels={"alertname": name})
        return services.ingest(integration, [item])[0]

    assert fire("first").suppressed_by == ""  # the cache is filled now
    Silence.objects.bulk_create(
        [
            Silence(
                matchers=[{"label": "alertname", "op": "=~", "value": ".+"}],
                starts_at=in_hours(-1),
                ends_at=in_hours(1),
            )
        ]
    )
    assert fire("second").suppressed_by == ""  # still the copy read before the silence
    monkeypatch.setattr(queries, "ROUTING_CACHE_SECONDS", 0.0)  # the second has passed
    assert fire("third").suppressed_by.startswith("silence:")
