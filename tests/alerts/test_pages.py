"""The alerts pages: recent alerts, integrations (the key shown once), routing rules, silences,
maintenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts import configure, inbox, keys, stores
from warroom.alerts.models import (
    Alert,
    Inbound,
    Integration,
    MaintenanceWindow,
    RoutingRule,
    Silence,
)
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.paging.models import EscalationPolicy
from warroom.paging.services import save_policy

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
    # session, user, visible-incident roles (2), alerts with integration/incident/system,
    # the inbox's waiting and failed counts (2)
    with django_assert_max_num_queries(8):
        browser.get("/alerts/")
    post(client, am_url(key), payload("alertmanager/firing_two_alerts"))
    with django_assert_max_num_queries(8):
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
    for url in (
        "/alerts/",
        "/alerts/integrations/",
        "/alerts/routing/",
        "/alerts/silences/",
        "/alerts/maintenance/",
    ):
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


def test_alerts_page_tells_how_many_requests_wait_and_failed(
    commander: User, make_integration: Make
) -> None:
    browser = signed_in(commander)
    assert "inbound request" not in browser.get("/alerts/").content.decode()
    integration, _ = make_integration()
    for failed in (False, False, True):
        Inbound.objects.create(
            integration=integration, received_at=timezone.now(), items=[], failed=failed
        )

    html = browser.get("/alerts/").content.decode()

    assert "2 inbound requests wait to be routed" in html
    assert "1 inbound request failed to route after several attempts" in html


def test_a_manager_sees_why_requests_failed_and_routes_them_again(
    paged_commander: User, outsider: User, make_integration: Make, crm: System
) -> None:
    integration, _ = make_integration("pagerduty", name="Zabbix", default_system=crm)
    good = Incoming("disk-7", "trigger", "Disk full").to_json()
    row = Inbound.objects.create(
        integration=integration,
        received_at=timezone.now(),
        items=[good],
        size=1,
        attempts=5,
        failed=True,
        error="OperationalError: disk I/O error",
    )
    # Others learn that something failed, not what it carried.
    other = signed_in(outsider).get("/alerts/").content.decode()
    assert "1 inbound request failed" in other and "disk I/O error" not in other
    assert signed_in(outsider).post(f"/alerts/inbound/{row.pk}/retry/").status_code == 403

    browser = signed_in(paged_commander)
    html = browser.get("/alerts/").content.decode()
    assert f'id="inbound-{row.pk}"' in html
    assert "Zabbix" in html and "OperationalError: disk I/O error" in html
    done = browser.post(f"/alerts/inbound/{row.pk}/retry/", follow=True)
    assert "will be routed again" in done.content.decode()
    assert inbox.process_pending() == 1
    assert Alert.objects.get().fingerprint == "disk-7"
    missing = browser.post(f"/alerts/inbound/{row.pk}/retry/", follow=True)
    assert f"No failed inbound request #{row.pk}" in missing.content.decode()


def test_the_file_store_puts_a_failed_request_back_at_the_end(
    tmp_path: Any, make_integration: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stores.FileStore(tmp_path / "warroom-inbox.sqlite3")
    monkeypatch.setattr(stores, "current", lambda: store)
    integration, _ = make_integration("pagerduty")
    store.insert(integration.pk, [{"not": "an alert"}])
    [first] = store.take(10, 10)
    for attempts in range(stores.MAX_ATTEMPTS):
        store.fail(replace(first, attempts=attempts), "TypeError: bad")
    [kept] = inbox.failed_requests()
    assert (kept.pk, kept.attempts, kept.error) == (first.pk, 5, "TypeError: bad")
    assert inbox.retry_failed(first.pk)
    [again] = store.take(10, 10)
    assert again.pk > first.pk and again.items == first.items and again.attempts == 0
    assert inbox.failed_requests() == [] and not inbox.retry_failed(first.pk)


# Routing rules ----------------------------------------------------------------------------


@pytest.fixture
def oncall_policy(commander: User) -> EscalationPolicy:
    return save_policy(
        None, name="Ops on call", steps=[{"targets": [{"type": "person", "username": "chen"}]}]
    )


def rule_form(**fields: Any) -> dict[str, Any]:
    return {
        "name": "",
        "integration": "",
        "matchers": "",
        "system": "",
        "category": "",
        "level": "",
        "group_by": "",
        "group_window": "30",
        "escalation_policy": "",
    } | fields


def test_commander_adds_edits_moves_and_deletes_routing_rules(
    commander: User, erp: System, make_integration: Make, oncall_policy: EscalationPolicy
) -> None:
    integration, _ = make_integration(name="Prometheus prod")
    browser = signed_in(commander)

    added = browser.post(
        "/alerts/routing/",
        rule_form(
            name="ERP database",
            integration=integration.pk,
            matchers='service="erp"\nseverity=~"critical|warning"',
            system=erp.pk,
            category="system_failure",
            level="high",
            group_by="alertname, instance",
            group_window="15",
            escalation_policy=oncall_policy.pk,
        ),
    )
    browser.post("/alerts/routing/", rule_form(name="Everything else"))

    assert added.status_code == 302
    assert added["Location"] == "/alerts/routing/"
    erp_rule, rest = RoutingRule.objects.order_by("position")
    assert (erp_rule.position, rest.position) == (0, 10)  # a new rule goes after the others
    assert erp_rule.matchers == [
        {"label": "service", "op": "=", "value": "erp"},
        {"label": "severity", "op": "=~", "value": "critical|warning"},
    ]
    assert (erp_rule.integration, erp_rule.system, erp_rule.escalation_policy) == (
        integration,
        erp,
        oncall_policy,
    )
    assert (erp_rule.category, erp_rule.level, erp_rule.group_by, erp_rule.group_window) == (
        "system_failure",
        "high",
        ["alertname", "instance"],
        15,
    )
    page = browser.get("/alerts/routing/")
    assert [r.name for r in page.context["rules"]] == ["ERP database", "Everything else"]
    html = page.content.decode()
    assert "service=&quot;erp&quot;, severity=~&quot;critical|warning&quot;" in html
    assert "Ops on call" in html and "only Prometheus prod" in html
    # The edit form shows the rule as it is; saving it unchanged changes nothing.
    edit = browser.get(f"/alerts/routing/{erp_rule.pk}/edit/")
    assert edit.context["form"].initial["matchers"] == (
        'service="erp"\nseverity=~"critical|warning"'
    )
    saved = browser.post(
        f"/alerts/routing/{erp_rule.pk}/edit/",
        rule_form(name="ERP", matchers='service="erp"', system=erp.pk, group_window="60"),
    )
    assert saved.status_code == 302
    erp_rule.refresh_from_db()
    assert (erp_rule.name, erp_rule.group_window, erp_rule.escalation_policy) == ("ERP", 60, None)

    browser.post(f"/alerts/routing/{erp_rule.pk}/down/")
    assert list(RoutingRule.objects.values_list("name", "position")) == [
        ("Everything else", 10),
        ("ERP", 20),
    ]
    browser.post(f"/alerts/routing/{erp_rule.pk}/up/")
    browser.post(f"/alerts/routing/{erp_rule.pk}/up/")  # already first: nothing moves
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["ERP", "Everything else"]

    asked = browser.get(f"/alerts/routing/{rest.pk}/delete/")
    assert "Delete the routing rule “Everything else”?" in asked.content.decode()
    assert RoutingRule.objects.count() == 2
    browser.post(f"/alerts/routing/{rest.pk}/delete/")
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["ERP"]


def test_others_see_routing_rules_but_cannot_change_them(
    ops_rep: User, outsider: User, erp: System
) -> None:
    rule = configure.save_routing_rule(None, name="ERP", system=erp)
    for user in (ops_rep, outsider):
        browser = signed_in(user)

        page = browser.get("/alerts/routing/")

        assert page.status_code == 200
        html = page.content.decode()
        assert "ERP" in html
        assert "New routing rule" not in html and "/edit/" not in html
        assert browser.post("/alerts/routing/", rule_form(name="mine")).status_code == 403
        for action in ("edit", "delete", "up", "down"):
            assert browser.post(f"/alerts/routing/{rule.pk}/{action}/").status_code == 403
        assert browser.get(f"/alerts/routing/{rule.pk}/edit/").status_code == 403
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["ERP"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"matchers": "service=~("}, "matchers", "matchers.0.value: not a regular expression"),
        ({"matchers": "just words"}, "matchers", "matchers.0: write a matcher as"),
        ({"group_by": "alertname, no!"}, "group_by", "group_by.1: not a label name"),
        ({"group_window": "soon"}, "group_window", "Enter a whole number."),
        ({"group_window": "99999"}, "group_window", "Ensure this value is less than"),
        ({"category": "earthquake"}, "category", "Select a valid choice."),
        ({"escalation_policy": "999"}, "escalation_policy", "Select a valid choice."),
        ({"system": "abc"}, "system", "Select a valid choice."),
    ],
)
def test_bad_routing_rule_input_is_shown_at_its_field(
    commander: User, plan: Any, fields: dict[str, str], field: str, message: str
) -> None:
    browser = signed_in(commander)

    response = browser.post("/alerts/routing/", rule_form(name="bad", **fields))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert RoutingRule.objects.count() == 0


def test_bad_input_when_editing_a_rule_keeps_the_rule(commander: User, erp: System) -> None:
    rule = configure.save_routing_rule(None, name="ERP", system=erp, group_window=30)

    response = signed_in(commander).post(
        f"/alerts/routing/{rule.pk}/edit/", rule_form(name="ERP", group_by="a b!")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["group_by"][0] == "group_by.1: not a label name"
    rule.refresh_from_db()
    assert (rule.system, rule.group_by) == (erp, [])


def test_routing_page_queries_do_not_grow_with_rules(
    commander: User,
    erp: System,
    make_integration: Make,
    oncall_policy: EscalationPolicy,
    django_assert_max_num_queries: Any,
) -> None:
    integration, _ = make_integration()
    browser = signed_in(commander)
    configure.save_routing_rule(None, system=erp, escalation_policy=oncall_policy)
    browser.get("/alerts/routing/")
    # session, user, may-manage, the plan (categories, levels), the rules with their
    # integration, system and policy, and the form's integrations, systems and policies
    with django_assert_max_num_queries(9) as first:
        browser.get("/alerts/routing/")
    for _ in range(5):
        configure.save_routing_rule(
            None, integration=integration, system=erp, escalation_policy=oncall_policy
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = browser.get("/alerts/routing/")
    assert len(response.context["rules"]) == 6
