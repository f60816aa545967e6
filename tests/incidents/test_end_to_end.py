"""The seed's whole process (§4.1–4.6) through the API, for a data leak on the CRM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.conftest import ApiClient, dept
from warroom.catalog.models import System
from warroom.notify.models import Delivery
from warroom.resources.models import Resource
from warroom.resources.services import save_contact, save_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(plan: Any) -> None:
    save_resource(
        None, kind="security_monitoring", name="IDS sensor kit", department=dept("security")
    )
    save_contact(None, name="King & Wood Counsel", kind="legal", phone="+86 10 0000 0000")


def test_data_leak_on_the_crm_end_to_end(
    api_as: Callable[..., ApiClient],
    crm: System,
    inventory: None,
    commander: User,
    deputy: User,
    legal: User,
    cs_rep: User,
    ops_rep: User,
    outsider: User,
    make_person: Callable[..., User],
) -> None:
    reporter = make_person("rita", "development")
    cmd, dep, law, cs, ops = (api_as(u) for u in (commander, deputy, legal, cs_rep, ops_rep))
    nosy = api_as(outsider)

    # §4.1 report: anyone signed in; the team (commander, deputy, CRM's owners) is paged.
    created = api_as(reporter).post(
        "/incidents",
        {
            "title": "Customer list on a paste site",
            "systems": ["CRM"],
            "description": "Found 2,000 customer rows on a public paste site.",
            "category": "data_leak",
            "contact": "rita, ext. 4412",
        },
    )
    assert created.status_code == 201, created.content
    inc = created.json()
    path = f"/incidents/{inc['id']}"
    assert (inc["status"], inc["restricted"], inc["plan_version"]) == ("reported", True, 1)
    assert {m["person"] for m in inc["team"]} == {"rita", "chen", "dora", "cai"}
    assert Delivery.objects.filter(incident_id=inc["id"]).count() == 3

    # Restricted from the start: the outsider sees nothing, anywhere.
    assert nosy.get(path).status_code == 404
    assert nosy.get("/incidents").json()["count"] == 0
    assert nosy.get(f"{path}/timeline").status_code == 404

    # §4.2 acknowledge, assess (high), team from the plan, orders.
    assert ops.post(f"{path}/acknowledge", {}).status_code == 404  # not on this incident
    assert dep.post(f"{path}/acknowledge", {}).json()["status"] == "acknowledged"
    assessed = cmd.post(
        f"{path}/assess",
        {
            "level": "high",
            "category": "data_leak",
            "systems": ["CRM"],
            "scope": "CRM customer records; the website shows CRM data too.",
        },
    ).json()
    assert assessed["status"] == "assessed"
    assert assessed["also_at_risk"] == ["Website"]
    assert [d["name"] for d in assessed["deadlines"]] == [
        "acknowledge",
        "assess",
        "mitigate",
        "resolve",
        "user_update",
    ]
    proposal = cmd.get(f"{path}/team/proposal").json()
    assert {(p["role"], p["person"]) for p in proposal} == {
        ("commander", "chen"),
        ("deputy", "dora"),
        ("operations_rep", "olga"),
        ("customer_service_rep", "cai"),
        ("legal_rep", "lena"),
    }
    team = cmd.put(
        f"{path}/team", {"members": [{"person": p["person"], "role": p["role"]} for p in proposal]}
    )
    assert team.status_code == 200
    order = cmd.post(
        f"{path}/orders", {"text": "Contain the leak and find the hole.", "to_role": "deputy"}
    ).json()
    assert law.post(f"{path}/orders/{order['id']}/acknowledge", {}).status_code == 403
    acked = dep.post(f"{path}/orders/{order['id']}/acknowledge", {}).json()
    assert acked["acknowledged_by"] == "dora"

    # §4.3 respond: the data-leak playbook becomes tasks per department.
    assert cmd.post(f"{path}/respond", {}).json()["status"] == "responding"
    tasks = cmd.get(f"{path}/tasks").json()
    departments = {t["department"] for t in tasks}
    assert {"security", "legal", "customer_service"} <= departments
    for task in tasks:
        for item in task["checklist"]:
            assert dep.post(f"{path}/checklist/{item['id']}", {"done": True}).status_code == 200
        done = dep.patch(f"{path}/tasks/{task['id']}", {"status": "done", "assignee": "dora"})
        assert done.json()["status"] == "done"
    leak = dep.put(
        f"{path}/leak",
        {
            "data_kinds": "names, phone numbers",
            "records_affected": 2000,
            "hole": "public S3 bucket",
        },
    ).json()
    assert leak["records_affected"] == 2000
    assert (
        dep.put(
            f"{path}/leak/legal-decision",
            {"notify_authorities": True, "notify_users": True, "reasoning": "x"},
        ).status_code
        == 403
    )
    decision = law.put(
        f"{path}/leak/legal-decision",
        {
            "notify_authorities": True,
            "notify_users": True,
            "reasoning": "Personal data of 2,000 people: PIPL requires notice.",
        },
    ).json()
    assert (decision["notify_authorities"], decision["notify_users"]) == (True, True)
    assert (
        cs.post(
            f"{path}/user-updates",
            {"text": "We are investigating a data exposure.", "eta": "2026-12-01T12:00:00+08:00"},
        ).status_code
        == 201
    )

    # §4.4 logistics: a resource from the inventory, outside counsel.
    allocation = dep.post(f"{path}/allocations", {"resource": "IDS sensor kit"})
    assert allocation.status_code == 201
    assert Resource.objects.get(name="IDS sensor kit").state == "allocated"
    again = dep.post(f"{path}/allocations", {"resource": "IDS sensor kit"})
    assert again.status_code == 409
    help_row = law.post(
        f"{path}/outside-help",
        {"contact": "King & Wood Counsel", "asked": "Review our notice duties."},
    ).json()
    law.patch(f"{path}/outside-help/{help_row['id']}", {"outcome": "Notice within 72 hours."})

    # §4.5 recovery: every item of the checklist signed, then resolved.
    assert cmd.post(f"{path}/recover", {}).json()["status"] == "recovering"
    items = cmd.get(f"{path}/recovery").json()
    assert {i["system"] for i in items if i["code"] == "full_check"} == {"CRM"}
    early = cmd.post(f"{path}/resolve", {})
    assert early.status_code == 409
    for item in items:
        assert ops.post(f"{path}/recovery/{item['id']}/sign", {"notes": "ok"}).status_code == 200
    assert cmd.post(f"{path}/resolve", {}).json()["status"] == "resolved"

    # §4.6 the report draft has the seed's three parts, and the timings against the targets.
    report = cmd.get(f"{path}/report").json()
    assert report["what_happened"].startswith(f"INC-{inc['id']} Customer list on a paste site")
    assert "King & Wood Counsel" in report["what_was_done"]
    assert report["lessons"]
    assert [t["target"] for t in report["timings"]] == [
        "acknowledge",
        "assess",
        "mitigate",
        "resolve",
    ]
    assert all(t["met"] is True for t in report["timings"])
    cmd.patch(f"{path}/report", {"lessons": "Scan buckets for public access daily."})
    action = cmd.post(
        f"{path}/action-items",
        {"title": "Bucket scanner", "owner": "olga", "due_date": "2026-12-31"},
    ).json()
    assert ops.patch(f"{path}/action-items/{action['id']}", {"status": "done"}).status_code == 200
    assert cmd.post(f"{path}/review", {}).json()["status"] == "reviewing"
    # Closing waits for the commander's approval of the report.
    early = cmd.post(f"{path}/close", {})
    assert (early.status_code, early.json()) == (
        409,
        {
            "detail": "the post-incident report must be approved before the incident is "
            "closed (report: Draft)"
        },
    )
    assert cmd.post(f"{path}/report/submit", {}).json()["state"] == "in_review"
    assert cmd.post(f"{path}/report/approve", {}).json()["state"] == "approved"
    closed = cmd.post(f"{path}/close", {}).json()
    assert closed["status"] == "closed"
    assert Resource.objects.get(name="IDS sensor kit").state == "available"

    # The outsider still sees none of it; the chain verifies.
    assert nosy.get(path).status_code == 404
    assert nosy.get(f"{path}/report").status_code == 404
    assert nosy.get("/incidents?q=paste").json()["count"] == 0
    timeline = cmd.get(f"{path}/timeline").json()
    assert timeline[0]["kind"] == "reported"
    assert timeline[-2]["data"] == {"from": "reviewing", "to": "closed", "reason": ""}
    assert timeline[-1]["kind"] == "resource_released"
    call_command("audit", "verify")
