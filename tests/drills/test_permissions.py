"""Who may do what with drills: everyone signed in reads; only the people who manage the plan
(administrators, the commander, the deputy) plan, start and finish them — a department
representative and an outsider get 403 in the API, on the pages and from the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import ApiClient
from tests.drills.conftest import MakeDrill
from warroom.drills import services
from warroom.drills.models import Drill, Finding

pytestmark = pytest.mark.django_db

NEW = {"scenario": "ddos_drill", "scheduled_for": "2026-12-01"}


def test_only_plan_managers_create_drills_in_the_api(
    api_as: Callable[..., ApiClient],
    commander: User,
    deputy: User,
    ops_rep: User,
    outsider: User,
) -> None:
    assert api_as(ops_rep).post("/drills", NEW).status_code == 403
    assert api_as(outsider).post("/drills", NEW).status_code == 403
    assert (
        api_as(outsider)
        .post("/drills/schedule", {"from_date": "2026-12-01", "count": 2})
        .status_code
        == 403
    )
    assert Drill.objects.count() == 0

    made = api_as(commander).post("/drills", NEW)
    assert made.status_code == 201, made.content
    assert api_as(deputy).post("/drills", NEW).status_code == 201
    body = made.json()
    assert (body["status"], body["title"], body["plan_version"]) == (
        "planned",
        "DDoS attack drill",
        1,
    )
    assert [(i["kind"], i["offset_seconds"], i["level"]) for i in body["injects"]] == [
        ("alert", 0, "medium")
    ]
    # Everyone signed in reads.
    assert api_as(outsider).get("/drills").json()[0]["id"] in {body["id"], body["id"] + 1}
    assert api_as(outsider).get(f"/drills/{body['id']}").status_code == 200


def test_only_plan_managers_start_and_finish_drills_in_the_api(
    api_as: Callable[..., ApiClient],
    commander: User,
    ops_rep: User,
    outsider: User,
    make_drill: MakeDrill,
) -> None:
    drill = make_drill(commander)
    path = f"/drills/{drill.pk}"

    assert api_as(ops_rep).post(f"{path}/start", {}).status_code == 403
    assert api_as(outsider).post(f"{path}/injects", {"title": "x"}).status_code == 403
    assert Drill.objects.get(pk=drill.pk).status == "planned"
    started = api_as(commander).post(f"{path}/start", {})
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert api_as(commander).post(f"{path}/start", {}).status_code == 409

    assert api_as(outsider).post(f"{path}/finish", {}).status_code == 403
    finished = api_as(commander).post(f"{path}/finish", {})
    assert finished.status_code == 200
    assert (finished.json()["status"], finished.json()["score"]["percent"]) == ("finished", None)


def test_the_pages_refuse_changes_to_others(
    client: Client, commander: User, outsider: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)
    client.force_login(outsider)

    assert client.get("/drills/").status_code == 200
    assert client.get(f"/drills/{drill.pk}/").status_code == 200
    assert client.get("/drills/new/").status_code == 403
    assert client.post(f"/drills/{drill.pk}/start/").status_code == 403
    assert (
        client.post("/drills/schedule/", {"from_date": "2026-12-01", "count": 1}).status_code == 403
    )
    assert client.get(f"/drills/{drill.pk}/injects/new/").status_code == 403
    assert Drill.objects.get(pk=drill.pk).status == "planned"

    client.force_login(commander)
    response = client.post(f"/drills/{drill.pk}/start/")
    assert response.status_code == 302
    assert Drill.objects.get(pk=drill.pk).status == "running"


def test_the_services_refuse_a_representative(
    commander: User, ops_rep: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)

    with pytest.raises(PermissionDenied):
        services.start_drill(drill, actor=ops_rep)
    with pytest.raises(PermissionDenied):
        make_drill(ops_rep)
    with pytest.raises(PermissionDenied):
        services.add_inject(drill, actor=ops_rep, title="x")


def test_a_findings_owner_may_close_it_but_not_others(
    api_as: Callable[..., ApiClient],
    commander: User,
    ops_rep: User,
    outsider: User,
    make_drill: MakeDrill,
) -> None:
    drill = make_drill(commander)
    services.start_drill(drill, actor=commander)
    services.finish_drill(drill, actor=commander)
    made = api_as(commander).post(
        f"/drills/{drill.pk}/findings",
        {
            "text": "The backup restore runbook is out of date",
            "owner": "olga",
            "due_date": "2026-12-15",
        },
    )
    assert made.status_code == 201, made.content
    path = f"/drills/{drill.pk}/findings/{made.json()['id']}"
    assert api_as(ops_rep).post(f"/drills/{drill.pk}/findings", {"text": "x"}).status_code == 403

    assert api_as(outsider).patch(path, {"status": "done"}).status_code == 403
    closed = api_as(ops_rep).patch(path, {"status": "done"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "done"
    assert Finding.objects.get().done_at is not None


def test_anonymous_is_refused(client: Client, plan: Any) -> None:
    assert client.get("/api/v1/drills").status_code == 401
    assert client.get("/drills/").status_code == 302
