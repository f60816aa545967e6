"""Routing rules and grouping: which system, category and level a new alert gets, and whether
it joins an open incident or opens one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.alerts.conftest import Make
from warroom.alerts import configure, services
from warroom.alerts.models import Alert
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.incidents.models import Incident, TimelineEvent

pytestmark = pytest.mark.django_db


def fire(fingerprint: str, **labels: str) -> Incoming:
    return Incoming(
        fingerprint=fingerprint, action="trigger", title=f"alert {fingerprint}", labels=labels
    )


def test_two_alerts_of_one_system_within_the_window_share_an_incident(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp, default_group_window=30)
    start = timezone.now()

    [first] = services.ingest(integration, [fire("a", alertname="Disk")], now=start)
    [second] = services.ingest(
        integration, [fire("b", alertname="CPU")], now=start + dt.timedelta(minutes=29)
    )

    assert first.incident is not None
    assert second.incident == first.incident
    assert Incident.objects.count() == 1
    entries = TimelineEvent.objects.filter(incident=first.incident, kind="alert")
    assert [e.data["alert_ids"] for e in entries.order_by("seq")] == [[first.pk], [second.pk]]


def test_an_alert_outside_the_window_opens_another_incident(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp, default_group_window=30)
    start = timezone.now() - dt.timedelta(minutes=31)

    [first] = services.ingest(integration, [fire("a")], now=start)
    [second] = services.ingest(integration, [fire("b")])

    assert first.incident is not None and second.incident is not None
    assert first.incident != second.incident
    assert Incident.objects.count() == 2


def test_a_closed_group_is_not_joined(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    from warroom.incidents.services import cancel_incident

    integration, _ = make_integration(default_system=erp)
    [first] = services.ingest(integration, [fire("a")])
    assert first.incident is not None
    cancel_incident(first.incident, actor=paged_commander, reason="false alarm")

    [second] = services.ingest(integration, [fire("b")])

    assert second.incident not in (None, first.incident)


def test_resolved_alerts_do_not_hold_a_group_open(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp)
    [first] = services.ingest(integration, [fire("a")])
    services.ingest(integration, [Incoming(fingerprint="a", action="resolve", title="a")])

    [second] = services.ingest(integration, [fire("b")])

    assert second.incident != first.incident


def test_first_matching_rule_routes(
    make_integration: Make, erp: System, crm: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp, default_level="low")
    configure.save_routing_rule(
        None,
        position=2,
        matchers=[{"label": "service", "op": "=~", "value": "crm|portal"}],
        system=crm,
        category="data_leak",
        level="high",
    )
    configure.save_routing_rule(
        None,
        position=1,
        matchers=[
            {"label": "service", "op": "=", "value": "crm"},
            {"label": "severity", "op": "!=", "value": "critical"},
        ],
        system=crm,
        category="system_failure",
    )

    warning, critical, other = services.ingest(
        integration,
        [
            fire("w", service="crm", severity="warning"),
            fire("c", service="crm", severity="critical"),
            fire("o", service="erp"),
        ],
    )

    # Rule 1 sets no level: the integration's default fills it in.
    assert (warning.system, warning.category, warning.level) == (crm, "system_failure", "low")
    assert (critical.system, critical.category, critical.level) == (crm, "data_leak", "high")
    assert (other.system, other.category, other.level) == (erp, "", "low")
    # The regex is anchored, as in Alertmanager.
    [partial] = services.ingest(integration, [fire("p", service="crm-eu")])
    assert partial.system == erp


def test_group_by_labels_split_one_system(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration()
    configure.save_routing_rule(None, system=erp, group_by=["alertname"], group_window=10)

    disk1, disk2, cpu = services.ingest(
        integration,
        [
            fire("d1", alertname="Disk", host="1"),
            fire("d2", alertname="Disk", host="2"),
            fire("c1", alertname="CPU", host="1"),
        ],
    )

    assert disk1.incident == disk2.incident
    assert cpu.incident not in (None, disk1.incident)
    assert disk1.group_key == f"{erp.pk}|alertname=Disk"


def test_rule_for_another_integration_does_not_apply(
    make_integration: Make, erp: System, crm: System, paged_commander: User
) -> None:
    mine, _ = make_integration(default_system=erp)
    other, _ = make_integration("grafana")
    configure.save_routing_rule(None, integration=other, system=crm)

    [alert] = services.ingest(mine, [fire("a")])

    assert alert.system == erp


def test_unknown_codes_from_a_template_are_dropped(
    make_integration: Make, paged_commander: User
) -> None:
    integration, _ = make_integration("generic")
    item = fire("a")
    item.category = "earthquake"
    item.system = "No such system"

    [alert] = services.ingest(integration, [item])

    assert (alert.category, alert.system) == ("", None)
    assert alert.incident is not None and alert.incident.category == ""


def test_one_batch_repeating_a_fingerprint_counts_it(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp)

    alerts = services.ingest(integration, [fire("a"), fire("a"), fire("a")])

    assert len({id(a) for a in alerts}) == 1
    row = Alert.objects.get()
    assert row.count == 3
    assert Incident.objects.count() == 1


def test_a_resolved_alert_that_fires_again_starts_a_new_episode(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    integration, _ = make_integration(default_system=erp)
    [first] = services.ingest(integration, [fire("a")])
    first_incident = first.incident
    services.ingest(integration, [Incoming(fingerprint="a", action="resolve", title="a")])

    [again] = services.ingest(integration, [fire("a")])

    row = Alert.objects.get()
    assert (row.status, row.count, row.resolved_at) == ("firing", 2, None)
    assert again.incident is not None and again.incident != first_incident


def test_an_alert_that_opens_an_incident_writes_it_in_one_short_transaction(
    make_integration: Make, erp: System, paged_commander: User
) -> None:
    """Opening an incident is the alert → page hot path: the rows it writes (alert, incident,
    timeline, paging, participant, delivery) take a bounded number of statements, and the
    timeline entries written without re-reading the head form an intact chain."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from warroom.incidents.timeline import verify_incident

    integration, _ = make_integration(default_system=erp)
    with CaptureQueriesContext(connection) as queries:
        [alert] = services.ingest(integration, [fire("a", alertname="Disk")])

    incident = Incident.objects.get(pk=alert.incident_id)
    kinds = list(incident.timeline.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["reported", "paged", "alert"]
    assert verify_incident(incident) is None
    assert incident.participants.filter(user=paged_commander, role="commander").exists()
    # 28 on SQLite today (40 before the head was trusted, savepoints dropped and the
    # participants written at once); PostgreSQL adds its advisory locks.
    assert len(queries) <= 32, "\n".join(q["sql"][:120] for q in queries.captured_queries)
