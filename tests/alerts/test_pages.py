"""The alerts pages: recent alerts, integrations (the key shown once), silences, maintenance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts import configure, keys
from warroom.alerts.models import Alert, Integration, MaintenanceWindow, Silence
from warroom.catalog.models import System

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_alerts_page_shows_status_count_incident_and_suppression(
    make_integration: Make, erp: System, crm: System, commander: User, client: Client
) -> None:
    _, key = make_integration(default_system=erp)
    configure.create_silence(
        matchers=[{"label": "service", "op": "=", "value": "crm"}],
        ends_at=timezone.now() + dt.timedelta(hours=1),
        comment="crm migration",
        created_by=commander,
    )
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    post(client, am_url(key), payload("alertmanager/firing_disk"))
    erp_alert = Alert.objects.filter(incident__isnull=False).first()
    disk = Alert.objects.get(labels__alertname="DiskWillFillIn4Hours")
    assert erp_alert is not None and erp_alert.incident is not None

    page = signed_in(commander).get("/alerts/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/incidents/{erp_alert.incident_id}/"' in html
    assert f"INC-{erp_alert.incident_id}" in html
    assert f"suppressed ({disk.suppressed_by})" in html
    assert [a.count for a in page.context["alerts"]] == [1, 2, 2]
    firing = signed_in(commander).get("/alerts/?status=resolved")
    assert firing.context["alerts"] == []


def test_alerts_page_queries_do_not_grow_with_rows(
    make_integration: Make,
    erp: System,
    commander: User,
    client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _, key = make_integration(default_system=erp)
    browser = signed_in(commander)
    post(client, am_url(key), payload("alertmanager/firing_disk"))
    browser.get("/alerts/")
    # session, user, visible-incident roles (2), alerts with integration/incident/system
    with django_assert_max_num_queries(6):
        browser.get("/alerts/")
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    with django_assert_max_num_queries(6):
        response = browser.get("/alerts/")
    assert len(response.context["alerts"]) == 3


def test_commander_creates_an_integration_and_sees_the_key_once(
    commander: User, erp: System, client: Client
) -> None:
    browser = signed_in(commander)

    response = browser.post(
        "/alerts/integrations/",
        {
            "name": "Prometheus prod",
            "kind": "alertmanager",
            "default_system": erp.pk,
            "default_category": "system_failure",
            "default_level": "",
            "rate_limit": 600,
        },
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    created = response.context["created"]
    key = created["key"]
    url = f"http://127.0.0.1:8000/api/v1/integrations/alertmanager/{key}"
    assert created["url"] == url
    html = response.content.decode()
    assert key in html and url in html
    integration = Integration.objects.get()
    assert (integration.default_system, integration.default_category) == (erp, "system_failure")
    # Shown once: the list never shows it again.
    again = browser.get("/alerts/integrations/").content.decode()
    assert key not in again and integration.key_prefix in again
    assert post(client, am_url(key), payload("alertmanager/firing_disk")).status_code == 200


def test_integration_form_shows_a_template_error_at_its_field(commander: User, plan: Any) -> None:
    response = signed_in(commander).post(
        "/alerts/integrations/",
        {"name": "Uptime", "kind": "generic", "rate_limit": 600, "title": "{{ check.name "},
    )

    assert response.status_code == 200
    assert response.context["created"] is None
    assert response.context["form"].errors["title"][0].startswith("the template does not compile:")
    assert Integration.objects.count() == 0


def test_rotating_a_key_on_the_page(commander: User, make_integration: Make) -> None:
    integration, old = make_integration("pagerduty")

    response = signed_in(commander).post(f"/alerts/integrations/{integration.pk}/rotate-key/")

    new = response.context["created"]["key"]
    assert new != old
    integration.refresh_from_db()
    assert integration.key_digest == keys.digest(new)
    assert "http://127.0.0.1:8000/v2/enqueue" in response.content.decode()


def test_others_see_integrations_but_cannot_create(outsider: User, make_integration: Make) -> None:
    make_integration(name="Prometheus prod")
    browser = signed_in(outsider)

    page = browser.get("/alerts/integrations/")

    assert page.status_code == 200
    assert "Prometheus prod" in page.content.decode()
    assert "New integration" not in page.content.decode()
    refused = browser.post("/alerts/integrations/", {"name": "x", "kind": "generic"})
    assert refused.status_code == 403
    assert Integration.objects.count() == 1


def test_silence_created_on_the_page(commander: User, outsider: User, plan: Any) -> None:
    browser = signed_in(commander)

    response = browser.post(
        "/alerts/silences/",
        {
            "matchers": 'alertname="HighErrorRate", service=~"erp|crm"',
            "duration": "120",
            "comment": "deploy",
        },
    )

    assert response.status_code == 302
    silence = Silence.objects.get()
    assert silence.matchers == [
        {"label": "alertname", "op": "=", "value": "HighErrorRate"},
        {"label": "service", "op": "=~", "value": "erp|crm"},
    ]
    assert silence.created_by == commander
    assert dt.timedelta(minutes=119) < silence.ends_at - timezone.now() <= dt.timedelta(hours=2)
    listed = signed_in(outsider).get("/alerts/silences/").content.decode()
    assert "alertname=&quot;HighErrorRate&quot;, service=~&quot;erp|crm&quot;" in listed
    bad = browser.post(
        "/alerts/silences/", {"matchers": "service=~(", "duration": "60", "comment": "x"}
    )
    assert (
        bad.context["form"]
        .errors["matchers"][0]
        .startswith("matchers.0.value: not a regular expression")
    )
    browser.post(f"/alerts/silences/{silence.pk}/expire/")
    silence.refresh_from_db()
    assert silence.ends_at <= timezone.now()


def test_maintenance_window_created_on_the_page(
    commander: User, outsider: User, erp: System
) -> None:
    start = timezone.localtime() + dt.timedelta(hours=1)
    end = start + dt.timedelta(hours=3)

    response = signed_in(commander).post(
        "/alerts/maintenance/",
        {
            "systems": [erp.pk],
            "matchers": "",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            "reason": "ERP upgrade",
        },
    )

    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert list(window.systems.all()) == [erp]
    assert window.reason == "ERP upgrade"
    listed = signed_in(outsider).get("/alerts/maintenance/")
    assert "ERP upgrade" in listed.content.decode()
    assert signed_in(outsider).post(f"/alerts/maintenance/{window.pk}/end/").status_code == 403


def test_pages_need_sign_in(client: Client) -> None:
    for url in ("/alerts/", "/alerts/integrations/", "/alerts/silences/", "/alerts/maintenance/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_admin_makes_the_key_and_shows_it_once(admin: User, plan: Any) -> None:
    browser = signed_in(admin)

    response = browser.post(
        "/admin/alerts/integration/add/",
        {
            "name": "Zabbix",
            "kind": "pagerduty",
            "enabled": "on",
            "rate_limit": 600,
            "default_category": "",
            "default_level": "",
            "default_group_by": "[]",
            "default_group_window": 30,
            "templates": "{}",
        },
        follow=True,
    )

    assert response.status_code == 200
    integration = Integration.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "shown once" in str(m)]
    raw = message.split("Key (shown once): ")[1].split(" — ")[0]
    assert integration.key_digest == keys.digest(raw)
    assert message.endswith("URL: http://127.0.0.1:8000/v2/enqueue")
    for model in ("alert", "routingrule", "silence", "maintenancewindow", "ratewindow"):
        assert browser.get(f"/admin/alerts/{model}/").status_code == 200
