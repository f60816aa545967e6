"""The public status page and its feed: what the outside world sees, without signing in."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.comms.conftest import days_ago, set_posted_at
from warroom.alerts.configure import create_maintenance
from warroom.alerts.models import MaintenanceWindow
from warroom.comms.queries import status_overview
from warroom.incidents.models import Incident

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MakeIncident = Callable[..., Incident]


def page(client: Client, lang: str = "en") -> str:
    response = client.get(f"/status?lang={lang}")
    assert response.status_code == 200
    return str(response.content.decode())


def feed_entries(client: Client, lang: str = "en") -> list[tuple[str, str]]:
    response = client.get(f"/status/feed.atom?lang={lang}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        (entry.findtext(f"{ATOM}title") or "", entry.findtext(f"{ATOM}summary") or "")
        for entry in root.findall(f"{ATOM}entry")
    ]


def states() -> dict[str, str]:
    return {row.component.name_en: row.state for row in status_overview().components}


def test_nothing_of_an_incident_is_public_before_a_public_update(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    incident = make_incident("Disk full on erp-db-02", "ERP", description="vg0 at 100%")

    html = page(client)
    assert "Disk full on erp-db-02" not in html
    assert "All systems operational" in html
    assert states() == {
        "Ordering": "operational",
        "Customer portal": "operational",
        "Website": "operational",
    }
    assert feed_entries(client) == []

    post(incident, "Orders cannot be placed; we are on it.")

    html = page(client)
    assert "Disk full on erp-db-02" in html
    assert "Orders cannot be placed; we are on it." in html
    assert "vg0 at 100%" not in html  # the description is never public
    assert states()["Ordering"] == "major_outage"
    assert feed_entries(client) == [
        ("Investigating: Disk full on erp-db-02", "Orders cannot be placed; we are on it.")
    ]


def test_a_restricted_incident_shows_only_its_public_updates(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    leak = make_incident(
        "Customer list on a paste site",
        "CRM",
        category="data_leak",
        description="2,000 customer rows found on pastebin",
        restricted=True,
    )
    assert leak.restricted
    post(leak, "Some accounts may be affected. We will contact you.", "部分账户可能受影响。")

    html = page(client)
    assert "Customer list on a paste site" not in html
    assert "paste" not in html
    assert "2,000 customer rows" not in html
    assert "Service incident" in html
    assert "Some accounts may be affected. We will contact you." in html
    # It names no component and changes none: that would tell more than the update does.
    assert states()["Customer portal"] == "operational"
    [active] = status_overview().incidents
    assert (active.components, active.state) == ([], None)

    zh = page(client, "zh-hans")
    assert "部分账户可能受影响。" in zh
    assert "Customer list" not in zh
    assert feed_entries(client) == [
        ("Investigating: Service incident", "Some accounts may be affected. We will contact you.")
    ]


def test_drills_never_appear(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    drill = make_incident("DRILL: ransomware on the ERP", "ERP", drill=True)
    update = post(drill, "Drill message to users.")
    set_posted_at(update, days_ago(3))

    html = page(client)
    assert "ransomware" not in html
    assert "Drill message to users." not in html
    assert "All systems operational" in html
    assert states()["Ordering"] == "operational"
    assert status_overview().history == []
    assert feed_entries(client) == []


def test_component_states_follow_levels_maintenance_and_resolution(
    components: Any, make_incident: MakeIncident, post: Any, systems: Any
) -> None:
    high = make_incident("ERP down", "ERP", level="high")
    medium = make_incident("CRM slow", "CRM", level="medium")
    post(high, "Ordering is down.")
    post(medium, "The portal is slow.")
    now = timezone.now()
    create_maintenance(
        systems=[systems["Website"]],
        matchers=[],
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        reason="Moving the website to new servers",
        created_by=None,
    )
    assert states() == {
        "Ordering": "major_outage",
        "Customer portal": "partial_outage",
        "Website": "maintenance",
    }
    assert status_overview().state == "major_outage"

    low = make_incident("Website images slow", "Website", level="low")
    post(low, "Images load slowly.")
    assert states()["Website"] == "degraded"  # worse than the maintenance

    post(high, "Fixed: orders go through again.", status="resolved")
    post(medium, "We are watching the portal.", status="monitoring")
    assert states() == {
        "Ordering": "operational",
        "Customer portal": "partial_outage",
        "Website": "degraded",
    }
    assert [str(i.label) for i in status_overview().incidents] == [
        "Website images slow",
        "CRM slow",
    ]


def test_an_unassessed_incident_is_degraded_performance(
    components: Any, make_incident: MakeIncident, post: Any
) -> None:
    incident = make_incident("Something odd on the CRM", "CRM", assess=False)
    post(incident, "We are looking into reports of errors.")
    assert states()["Customer portal"] == "degraded"


def test_scheduled_maintenance_upcoming_and_active(
    client: Client, components: Any, systems: Any
) -> None:
    now = timezone.now()
    for start, end, reason in (
        (now + dt.timedelta(days=2), now + dt.timedelta(days=2, hours=2), "Database upgrade"),
        (now - dt.timedelta(hours=1), now + dt.timedelta(hours=1), "Network switch swap"),
    ):
        create_maintenance(
            systems=[systems["ERP"]],
            matchers=[],
            starts_at=start,
            ends_at=end,
            reason=reason,
            created_by=None,
        )
    past = MaintenanceWindow.objects.create(
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=2),
        reason="Finished long ago",
    )
    past.systems.set([systems["ERP"]])
    # Matchers only: alert silencing, not maintenance the users notice.
    create_maintenance(
        systems=[],
        matchers=[{"label": "job", "op": "=", "value": "batch"}],
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
        reason="Batch noise",
        created_by=None,
    )
    rows = status_overview().maintenance
    assert [(m.window.reason, m.active) for m in rows] == [
        ("Network switch swap", True),
        ("Database upgrade", False),
    ]
    html = page(client)
    assert "Scheduled maintenance" in html
    assert "Database upgrade" in html
    assert "Finished long ago" not in html
    assert "Batch noise" not in html
    assert states()["Ordering"] == "maintenance"


def test_history_covers_90_days_grouped_by_day(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    old = make_incident("Mail relay outage", "ERP")
    recent = make_incident("Portal login errors", "CRM")
    set_posted_at(post(old, "Too old to show."), days_ago(90))
    set_posted_at(post(old, "Oldest shown."), days_ago(89))
    set_posted_at(post(recent, "Login fails for some users."), days_ago(1, hour=9))
    set_posted_at(post(recent, "Logins work again.", status="resolved"), days_ago(1, hour=11))
    set_posted_at(post(old, "Another mail issue."), days_ago(1, hour=10))

    overview = status_overview()
    assert overview.history_since == timezone.localdate() - dt.timedelta(days=89)
    shown = [
        (day.day, [(str(h.label), [u.text_en for u in h.updates]) for h in day.incidents])
        for day in overview.history
    ]
    assert shown == [
        (
            timezone.localdate() - dt.timedelta(days=1),
            [
                ("Portal login errors", ["Logins work again.", "Login fails for some users."]),
                ("Mail relay outage", ["Another mail issue."]),
            ],
        ),
        (timezone.localdate() - dt.timedelta(days=89), [("Mail relay outage", ["Oldest shown."])]),
    ]
    history = page(client).split('<section class="history">')[1]
    assert "Oldest shown." in history
    assert "Too old to show." not in history


def test_status_page_in_both_languages(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    incident = make_incident("ERP down", "ERP")
    post(
        incident,
        "Ordering is down.",
        "下单功能不可用。",
        eta=timezone.now() + dt.timedelta(hours=2),
    )
    only_zh = make_incident("CRM slow", "CRM", level="medium")
    post(only_zh, text_zh="客户门户响应缓慢。")

    zh = client.get("/status?lang=zh-hans")
    assert zh["Content-Language"] == "zh-hans"
    html = zh.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "下单功能不可用。" in html
    assert "Ordering is down." not in html
    assert "订单" in html and "客户门户" in html

    en = page(client, "en")
    assert '<html lang="en">' in en
    assert "Ordering is down." in en
    assert "Expected resolution:" in en
    # Written in Chinese only: the English page shows the Chinese text rather than nothing.
    assert "客户门户响应缓慢。" in en

    # Without ?lang= the request's language decides (LocaleMiddleware).
    assert (
        "下单功能不可用。" in client.get("/status", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    )


def test_status_page_reads_a_fixed_number_of_queries(
    client: Client, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    post(make_incident("First", "ERP"), "one")
    page(client)  # the plan is parsed (and cached) once
    with CaptureQueriesContext(connection) as few:
        page(client)
    for n in range(4):
        incident = make_incident(f"More {n}", "CRM", level="medium")
        post(incident, f"update {n}")
        post(incident, f"second update {n}", status="identified")
    with CaptureQueriesContext(connection) as many:
        html = page(client)
    assert "second update 3" in html
    assert len(many) == len(few)


def test_the_status_pages_need_no_sign_in_but_the_staff_pages_do(client: Client, plan: Any) -> None:
    for path in ("/status", "/status/feed.atom", "/status/subscribe"):
        assert client.get(path).status_code == 200, path
    for path in ("/comms/", "/comms/components/", "/comms/subscribers/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path
