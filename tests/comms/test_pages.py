"""The staff pages under /comms/, the incident page's panel, and the components API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import ApiClient
from warroom.comms.models import PublicUpdate, StatusComponent
from warroom.comms.subscribers import confirm_subscription, subscribe
from warroom.incidents.models import Incident

pytestmark = pytest.mark.django_db

MakeIncident = Callable[..., Incident]
Login = Callable[[User], Client]


def test_customer_service_posts_from_the_comms_page(
    cs_rep: User, make_incident: MakeIncident, login: Login
) -> None:
    incident = make_incident("ERP down", "ERP")
    client = login(cs_rep)
    index = client.get("/comms/").content.decode()
    assert f'href="/comms/incidents/{incident.pk}/"' in index
    assert "not public" in index
    assert '<a href="/comms/" class="active">Status</a>' in index

    form = client.get(f"/comms/incidents/{incident.pk}/").content.decode()
    assert "Post a public update" in form
    assert "nothing of this incident is public" in form
    empty = client.post(f"/comms/incidents/{incident.pk}/", {"status": "investigating"})
    assert "Write the message in at least one language." in empty.content.decode()

    done = client.post(
        f"/comms/incidents/{incident.pk}/",
        {"status": "investigating", "text_zh": "下单功能不可用。", "eta": "2099-01-01T10:00"},
    )
    assert done.status_code == 302
    assert done["Location"] == f"/comms/incidents/{incident.pk}/"
    update = PublicUpdate.objects.get()
    assert (update.text_zh, update.eta.isoformat()) == (
        "下单功能不可用。",
        "2099-01-01T02:00:00+00:00",  # entered in the server's zone, Asia/Shanghai
    )
    assert "下单功能不可用。" in client.get(f"/comms/incidents/{incident.pk}/").content.decode()


def test_the_incident_page_has_a_public_updates_panel(
    commander: User, outsider: User, make_incident: MakeIncident, post: Any, login: Login
) -> None:
    incident = make_incident("ERP down", "ERP")
    html = login(commander).get(f"/incidents/{incident.pk}/").content.decode()
    assert '<section id="incident-public-updates" class="panel">' in html
    assert "Nothing of this incident is public yet." in html
    assert f'href="/comms/incidents/{incident.pk}/">Post a public update</a>' in html

    post(incident, "Ordering is down.")
    html = login(outsider).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Ordering is down." in html
    assert f'href="/comms/incidents/{incident.pk}/">All public updates</a>' in html


def test_plan_managers_manage_components_others_read(
    commander: User, outsider: User, systems: Any, login: Login
) -> None:
    boss = login(commander)
    created = boss.post(
        "/comms/components/",
        {
            "name_en": "Ordering",
            "name_zh": "订单",
            "systems": [systems["ERP"].pk],
            "position": 1,
            "visible": "on",
        },
    )
    assert created.status_code == 302
    component = StatusComponent.objects.get()
    assert (component.name_en, component.name_zh, component.visible) == ("Ordering", "订单", True)
    assert [s.name for s in component.systems.all()] == ["ERP"]

    edited = boss.post(
        f"/comms/components/{component.pk}/",
        {"name_en": "Orders", "systems": [], "position": 2},
    )
    assert edited.status_code == 302
    component.refresh_from_db()
    assert (component.name_en, component.visible, component.systems.count()) == ("Orders", False, 0)

    nosy = login(outsider)
    listing = nosy.get("/comms/components/").content.decode()
    assert "Orders" in listing
    assert "New status component" not in listing
    assert nosy.post("/comms/components/", {"name_en": "X", "position": 0}).status_code == 403
    assert nosy.get(f"/comms/components/{component.pk}/").status_code == 403
    assert nosy.post(f"/comms/components/{component.pk}/delete/").status_code == 403

    assert (
        "Delete the status component"
        in boss.get(f"/comms/components/{component.pk}/delete/").content.decode()
    )
    assert boss.post(f"/comms/components/{component.pk}/delete/").status_code == 302
    assert StatusComponent.objects.count() == 0


def test_subscribers_are_shown_to_managers_and_customer_service_only(
    commander: User, cs_rep: User, outsider: User, plan: Any, login: Login
) -> None:
    secret = subscribe(webhook="json://user:s3cr3t@127.0.0.1:9/hook", language="en")
    confirm_subscription(secret)
    for user in (commander, cs_rep):
        html = login(user).get("/comms/subscribers/").content.decode()
        assert "json://127.0.0.1:9/…" in html
        assert "s3cr3t" not in html  # a webhook URL's credentials stay hidden
        assert "1 confirmed, 0 waiting for confirmation, 0 unsubscribed." in html
    assert login(outsider).get("/comms/subscribers/").status_code == 403


def test_components_api(
    commander: User, outsider: User, systems: Any, api_as: Callable[..., ApiClient]
) -> None:
    boss, nosy = api_as(commander), api_as(outsider)
    payload = {"name_en": "Ordering", "name_zh": "订单", "systems": ["ERP"], "position": 1}
    assert nosy.post("/status/components", payload).status_code == 403
    created = boss.post("/status/components", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "name_en": "Ordering",
        "name_zh": "订单",
        "systems": ["ERP"],
        "position": 1,
        "visible": True,
    }
    path = f"/status/components/{body['id']}"
    patched = boss.patch(path, {"systems": ["ERP", "CRM"], "visible": False}).json()
    assert (patched["name_en"], patched["systems"], patched["visible"]) == (
        "Ordering",
        ["CRM", "ERP"],
        False,
    )
    bad = boss.patch(path, {"systems": ["Nope"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "systems", 0]
    assert nosy.get(path).json()["name_en"] == "Ordering"
    assert nosy.patch(path, {"name_en": "X"}).status_code == 403
    assert nosy.delete(path).status_code == 403
    assert boss.delete(path).status_code == 204
    assert boss.get(path).status_code == 404


def test_status_api_is_the_page_as_data(
    outsider: User,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    api_as: Callable[..., ApiClient],
    client: Client,
) -> None:
    post(make_incident("ERP down", "ERP"), "Ordering is down.", "下单功能不可用。")
    assert client.get("/api/v1/status").status_code == 401
    data = api_as(outsider).get("/status?lang=zh-hans").json()
    assert data["state"] == "major_outage"
    assert [(c["name"], c["state"]) for c in data["components"]] == [
        ("订单", "major_outage"),
        ("客户门户", "operational"),
        ("官网", "operational"),
    ]
    [incident] = data["incidents"]
    assert (incident["label"], incident["components"]) == ("ERP down", ["订单"])
    assert [u["text"] for u in incident["updates"]] == ["下单功能不可用。"]


def test_the_api_schema_lists_the_comms_paths(client: Client, admin: User) -> None:
    client.force_login(admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/incidents/{incident_id}/public-updates",
        "/api/v1/status",
        "/api/v1/status/components",
        "/api/v1/status/components/{component_id}",
    ):
        assert path in paths, path
