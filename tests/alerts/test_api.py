"""The management API of the alerts app: the commander manages, others read, nobody sees a
stored key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.alerts.conftest import am_url, payload, post
from tests.conftest import ApiClient
from warroom.alerts import keys
from warroom.alerts.models import Integration, Silence
from warroom.catalog.models import System
from warroom.paging.services import save_policy

pytestmark = pytest.mark.django_db


def test_commander_creates_an_integration_and_sees_its_key_once(
    api_as: Callable[..., ApiClient], commander: User, erp: System, client: Client
) -> None:
    api = api_as(commander)

    created = api.post(
        "/integrations",
        {"kind": "alertmanager", "name": "Prometheus prod", "default_system": "ERP"},
    )

    assert created.status_code == 201, created.content
    body = created.json()
    key = body["key"]
    assert len(key) == 32
    assert body["url"] == f"http://127.0.0.1:8000/api/v1/integrations/alertmanager/{key}"
    assert (body["name"], body["kind"], body["default_system"], body["key_prefix"]) == (
        "Prometheus prod",
        "alertmanager",
        "ERP",
        key[:6],
    )
    row = Integration.objects.get()
    assert row.key_digest == keys.digest(key)
    assert key not in str(Integration.objects.values().get())
    listed = api.get("/integrations").json()
    assert [i["name"] for i in listed] == ["Prometheus prod"]
    assert "key" not in listed[0]
    assert post(client, am_url(key), payload("alertmanager/firing_disk")).status_code == 200


def test_rotating_the_key_retires_the_old_one(
    api_as: Callable[..., ApiClient], commander: User, client: Client
) -> None:
    api = api_as(commander)
    old = api.post("/integrations", {"kind": "pagerduty", "name": "Zabbix"}).json()

    rotated = api.post(f"/integrations/{old['id']}/rotate-key", {})

    assert rotated.status_code == 200
    new = rotated.json()["key"]
    assert new != old["key"]
    assert rotated.json()["url"] == "http://127.0.0.1:8000/v2/enqueue"
    event = payload("pagerduty/trigger")
    assert post(client, "/v2/enqueue", event | {"routing_key": old["key"]}).status_code == 404
    assert post(client, "/v2/enqueue", event | {"routing_key": new}).status_code == 202


def test_others_read_but_may_not_manage(
    api_as: Callable[..., ApiClient], ops_rep: User, outsider: User
) -> None:
    for user in (ops_rep, outsider):
        api = api_as(user)
        assert api.get("/integrations").status_code == 200
        assert api.get("/silences").status_code == 200
        refused = api.post("/integrations", {"kind": "generic", "name": "x"})
        assert refused.status_code == 403
        assert refused.json() == {
            "detail": "only the commander, the deputy or an administrator may change alert settings"
        }
    assert Integration.objects.count() == 0


def test_unknown_kind_and_bad_fields_name_the_field(
    api_as: Callable[..., ApiClient], commander: User
) -> None:
    api = api_as(commander)
    cases = [
        ({"kind": "nagios", "name": "x"}, ["body", "kind"]),
        (
            {"kind": "generic", "name": "x", "default_level": "apocalyptic"},
            ["body", "default_level"],
        ),
        ({"kind": "generic", "name": "x", "rate_limit": -1}, ["body", "rate_limit"]),
        ({"kind": "generic", "name": "x", "default_group_by": ["ok", "no way"]}, None),
        (
            {"kind": "generic", "name": "x", "default_system": "Mainframe"},
            ["body", "default_system"],
        ),
        (
            {"kind": "generic", "name": "x", "default_escalation_policy": "Nobody"},
            ["body", "default_escalation_policy"],
        ),
    ]
    for data, loc in cases:
        response = api.post("/integrations", data)
        assert response.status_code == 422, data
        if loc:
            assert response.json()["detail"][0]["loc"] == loc
    assert Integration.objects.count() == 0


def test_routing_rules_crud(api_as: Callable[..., ApiClient], commander: User, erp: System) -> None:
    api = api_as(commander)

    created = api.post(
        "/routing-rules",
        {
            "name": "ERP alerts",
            "matchers": [{"label": "service", "op": "=", "value": "erp"}],
            "system": "ERP",
            "category": "system_failure",
            "level": "high",
            "group_by": ["alertname"],
            "group_window": 15,
        },
    )

    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule == {
        "id": rule["id"],
        "position": 0,
        "name": "ERP alerts",
        "integration": None,
        "matchers": [{"label": "service", "op": "=", "value": "erp"}],
        "system": "ERP",
        "category": "system_failure",
        "level": "high",
        "group_by": ["alertname"],
        "group_window": 15,
        "escalation_policy": None,
    }
    changed = api.patch(f"/routing-rules/{rule['id']}", {"level": "low", "position": 3})
    assert (changed.json()["level"], changed.json()["position"]) == ("low", 3)
    save_policy(
        None, name="ERP on call", steps=[{"targets": [{"type": "role", "role": "commander"}]}]
    )
    with_policy = api.patch(f"/routing-rules/{rule['id']}", {"escalation_policy": "ERP on call"})
    assert with_policy.json()["escalation_policy"] == "ERP on call"
    assert api.get("/routing-rules").json()[0]["escalation_policy"] == "ERP on call"
    unknown = api.patch(f"/routing-rules/{rule['id']}", {"escalation_policy": "Nobody"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [
        {
            "loc": ["body", "escalation_policy"],
            "msg": "unknown escalation policy 'Nobody'",
            "type": "value_error",
        }
    ]
    cleared = api.patch(f"/routing-rules/{rule['id']}", {"escalation_policy": None})
    assert cleared.json()["escalation_policy"] is None
    bad = api.patch(
        f"/routing-rules/{rule['id']}",
        {"matchers": [{"label": "service", "op": "=~", "value": "("}]},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "matchers", 0, "value"]
    assert api.delete(f"/routing-rules/{rule['id']}").status_code == 204
    assert api.get("/routing-rules").json() == []


def test_silences_and_maintenance_through_the_api(
    api_as: Callable[..., ApiClient], commander: User, erp: System
) -> None:
    api = api_as(commander)
    ends = (timezone.now() + dt.timedelta(hours=2)).isoformat()

    silence = api.post(
        "/silences",
        {
            "matchers": [{"label": "alertname", "op": "=~", "value": "Disk.*"}],
            "ends_at": ends,
            "comment": "disk cleanup running",
        },
    )
    window = api.post(
        "/maintenance-windows", {"systems": ["ERP"], "ends_at": ends, "reason": "ERP upgrade"}
    )

    assert silence.status_code == 201, silence.content
    assert window.status_code == 201, window.content
    assert (silence.json()["active"], silence.json()["created_by"]) == (True, "chen")
    assert (window.json()["systems"], window.json()["active"]) == (["ERP"], True)
    assert [s["id"] for s in api.get("/silences?active=true").json()] == [silence.json()["id"]]
    expired = api.post(f"/silences/{silence.json()['id']}/expire", {})
    assert expired.json()["active"] is False
    assert api.get("/silences?active=true").json() == []
    ended = api.post(f"/maintenance-windows/{window.json()['id']}/end", {})
    assert ended.json()["active"] is False
    assert Silence.objects.count() == 1


def test_alerts_of_a_restricted_incident_are_hidden_like_it(
    api_as: Callable[..., ApiClient],
    commander: User,
    outsider: User,
    erp: System,
    client: Client,
) -> None:
    api = api_as(commander)
    leak = api.post(
        "/integrations",
        {"kind": "alertmanager", "name": "DLP", "default_category": "data_leak"},
    ).json()
    plain = api.post("/integrations", {"kind": "alertmanager", "name": "Prom"}).json()
    post(client, am_url(leak["key"]), payload("alertmanager/firing_disk"))
    post(client, am_url(plain["key"]), payload("alertmanager/firing_disk"))

    mine = api.get("/alerts").json()
    theirs = api_as(outsider).get("/alerts").json()

    assert len(mine["items"]) == 2
    assert [a["integration"] for a in theirs["items"]] == ["Prom"]
    hidden = next(a for a in mine["items"] if a["integration"] == "DLP")
    assert api_as(outsider).get(f"/alerts/{hidden['id']}").status_code == 404


def test_openapi_documents_the_webhooks(api_as: Callable[..., ApiClient], commander: User) -> None:
    schema = api_as(commander).get("/openapi.json").json()

    operation = schema["paths"]["/api/v1/integrations/alertmanager/{key}"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["version", "groupKey", "status", "receiver", "alerts"]
    assert body["properties"]["alerts"]["items"]["required"] == ["status", "labels"]
    assert "security" not in operation or operation["security"] == []
