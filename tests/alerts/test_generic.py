"""Generic JSON webhooks mapped by sandboxed Jinja2 templates."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.alerts.conftest import Make, am_url, payload, post
from tests.conftest import ApiClient
from warroom.alerts import configure
from warroom.alerts.models import Alert, Integration
from warroom.catalog.models import System
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "title": "{{ check.name }} is {{ state }}",
    "severity": "{{ {'P1': 'critical', 'P2': 'error'}.get(severity, 'warning') }}",
    "dedup_key": "uptime-{{ check.id }}",
    "system": "{{ service }}",
    "category": "{% if state == 'down' %}system_failure{% endif %}",
    "status": "{{ 'resolved' if state == 'up' else 'firing' }}",
}


def test_generic_mapping_opens_an_incident(
    client: Client, make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("generic", templates=TEMPLATES)

    response = post(client, am_url(key, "generic"), payload("generic/uptime_check"))

    assert (response.status_code, response.json()) == (200, {"status": "success", "accepted": 1})
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.title, alert.severity, alert.status) == (
        "uptime-chk-7f3a",
        "Customer portal login page is down",
        "critical",
        "firing",
    )
    assert (alert.system, alert.category) == (crm, "system_failure")
    assert alert.labels["error"] == "HTTP 503 Service Unavailable after 3 retries"
    assert alert.labels["severity"] == "critical"
    incident = Incident.objects.get()
    assert (incident.title, incident.category, incident.source) == (
        "Customer portal login page is down",
        "system_failure",
        "alert:generic",
    )
    assert list(incident.systems.all()) == [crm]

    up = payload("generic/uptime_check") | {"state": "up"}
    post(client, am_url(key, "generic"), up)

    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_generic_without_templates_hashes_the_labels(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    _, key = make_integration("generic", name="Uptime")

    post(client, am_url(key, "generic"), payload("generic/uptime_check"))
    post(client, am_url(key, "generic"), payload("generic/uptime_check"))

    alert = Alert.objects.get()
    assert len(alert.fingerprint) == 64 and alert.count == 2
    assert alert.title == "Uptime"


def test_generic_needs_an_object(client: Client, make_integration: Make) -> None:
    _, key = make_integration("generic")

    response = post(client, am_url(key, "generic"), [1, 2])

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body"], "msg": "a JSON object is required", "type": "dict_type"}]
    }


def test_template_that_does_not_compile_is_refused_naming_the_field(
    make_integration: Make,
) -> None:
    with pytest.raises(DomainError) as caught:
        make_integration("generic", templates={"title": "{{ check.name "})
    assert caught.value.field == "templates.title"
    assert caught.value.message.startswith("the template does not compile:")
    assert Integration.objects.count() == 0


def test_template_is_checked_whatever_saves_it(make_integration: Make) -> None:
    integration, _ = make_integration("generic")
    integration.templates = {"severity": "{% if %}"}
    with pytest.raises(DomainError) as caught:
        integration.save()
    assert caught.value.field == "templates.severity"


def test_template_reaching_for_private_attributes_is_refused_when_saved(
    make_integration: Make,
) -> None:
    for source in (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ payload['__class__'] }}",
        "{{ _private }}",
    ):
        with pytest.raises(DomainError) as caught:
            make_integration("generic", templates={"title": source})
        assert caught.value.field == "templates.title"


def test_template_escaping_the_sandbox_at_run_time_fails_safely(
    client: Client, make_integration: Make, paged_commander: User
) -> None:
    escape = "{{ (payload|attr('__class__'))|attr('__mro__') }}"
    huge = "{{ 'x' * 100000000 }}"
    integration, key = make_integration(
        "generic", name="Uptime", templates={"title": escape, "severity": huge}
    )

    response = post(client, am_url(key, "generic"), payload("generic/uptime_check"))

    assert response.status_code == 200
    alert = Alert.objects.get()
    assert (alert.title, alert.severity) == ("Uptime", "")
    errors = alert.annotations["warroom_template_errors"]
    assert errors.startswith("severity: SecurityError: repetition too long; title: SecurityError:")
    assert "'__class__'" in errors
    assert Incident.objects.get().title == "Uptime"
    assert integration.templates["title"] == escape


def test_template_error_through_the_api_names_the_field(
    api_as: Callable[..., ApiClient], commander: User
) -> None:
    response = api_as(commander).post(
        "/integrations",
        {"kind": "generic", "name": "Uptime", "templates": {"dedup_key": "{{ a.b }"}},
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "templates", "dedup_key"]
    assert error["msg"].startswith("the template does not compile:")


def test_templates_only_for_generic(make_integration: Make) -> None:
    with pytest.raises(DomainError) as caught:
        configure.create_integration(
            kind="alertmanager", name="x", created_by=None, templates={"title": "{{ a }}"}
        )
    assert caught.value.field == "templates"
