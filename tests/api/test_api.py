from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.management import call_command

from tests.conftest import ApiClient
from warroom.api.models import ApiToken
from warroom.catalog.models import System

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client: Any, plan: Any, outsider: AbstractUser) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 401
    assert client.get("/api/v1/docs").status_code == 401
    client.force_login(outsider)
    assert client.get("/api/v1/docs").status_code == 200
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "warroom API"
    for path in (
        "/api/v1/systems",
        "/api/v1/risks",
        "/api/v1/plan",
        "/api/v1/plan/apply",
        "/api/v1/team",
        "/api/v1/resources",
        "/api/v1/contacts",
        "/api/v1/people",
    ):
        assert path in schema["paths"], path


def test_bad_input_is_422_naming_the_field(
    api_as: Callable[..., ApiClient], commander: AbstractUser
) -> None:
    api = api_as(commander)
    response = api.post("/systems", {"name": "CRM", "kind": "mainframe", "owner_department": "it"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "kind"],
            "msg": "unknown system kind 'mainframe' (plan: crm, erp, internal, mobile_app, other, "
            "website)",
            "type": "value_error",
        }
    ]
    response = api.post("/systems", {"kind": "crm", "owner_department": "it"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    response = api.post(
        "/risks",
        {
            "system": "nope",
            "category": "data_leak",
            "title": "t",
            "likelihood": 9,
            "impact_level": "high",
            "next_review": "2027-01-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "likelihood"]
    assert System.objects.count() == 0


def test_malformed_json_is_a_client_error(
    api_as: Callable[..., ApiClient], commander: AbstractUser
) -> None:
    api = api_as(commander)
    response = api.client.post("/api/v1/systems", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_unknown_is_404(api_as: Callable[..., ApiClient], commander: AbstractUser) -> None:
    api = api_as(commander)
    assert api.get("/systems/9999").status_code == 404
    assert api.get("/systems/9999").json() == {"detail": "system not found"}
    assert api.get("/plan/versions/42").status_code == 404
    assert api.patch("/resources/77", {"state": "retired"}).status_code == 404


def test_duplicate_name_is_409(api_as: Callable[..., ApiClient], commander: AbstractUser) -> None:
    api = api_as(commander)
    body = {"name": "CRM", "kind": "crm", "owner_department": "it"}
    assert api.post("/systems", body).status_code == 201
    response = api.post("/systems", body)
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "a system named 'CRM' already exists"


def test_lists_are_paginated(api_as: Callable[..., ApiClient], commander: AbstractUser) -> None:
    api = api_as(commander)
    for n in range(5):
        api.post("/systems", {"name": f"S{n}", "kind": "internal", "owner_department": "it"})
    page = api.get("/systems?limit=2&offset=2").json()
    assert page["count"] == 5
    assert [s["name"] for s in page["items"]] == ["S2", "S3"]


def test_dependency_cycle_is_refused_by_the_api(
    api_as: Callable[..., ApiClient], commander: AbstractUser
) -> None:
    api = api_as(commander)
    api.post("/systems", {"name": "DB", "kind": "internal", "owner_department": "it"})
    api.post(
        "/systems", {"name": "ERP", "kind": "erp", "owner_department": "it", "depends_on": ["DB"]}
    )
    db = System.objects.get(name="DB")
    response = api.patch(f"/systems/{db.pk}", {"depends_on": ["ERP"]})
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "depends_on"],
        "msg": "dependency cycle: DB → ERP → DB",
        "type": "value_error",
    }
    assert list(db.depends_on.all()) == []
    assert api.get(f"/systems/{db.pk}/at-risk").json() == ["ERP"]


def test_invalid_plan_via_api_lists_problems(
    api_as: Callable[..., ApiClient], commander: AbstractUser, default_plan_text: str
) -> None:
    broken = default_plan_text.replace("department: legal", "department: lawyers", 1)
    response = api_as(commander).post("/plan/apply", {"source": broken})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["msg"] == "unknown department 'lawyers'"
    assert (
        problem["line"]
        == default_plan_text[: default_plan_text.index("department: legal")].count("\n") + 1
    )


def test_token_cli_create_shows_once_and_revoke(commander: AbstractUser, capsys: Any) -> None:
    call_command("token", "create", "--user", "chen", "--read-only")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("wr_")
    token = ApiToken.objects.get(user=commander)
    assert token.read_only is True
    assert raw not in (token.digest, token.prefix)
    client = ApiClient.__new__(ApiClient)
    from django.test import Client

    client.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/systems").status_code == 200
    call_command("token", "revoke", token.prefix)
    assert client.get("/systems").status_code == 401


def test_session_auth_needs_csrf_for_writes(commander: AbstractUser) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(commander)
    assert browser.get("/api/v1/systems").status_code == 200
    response = browser.post(
        "/api/v1/systems",
        data={"name": "X", "kind": "crm", "owner_department": "it"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_plan_diff_and_export_endpoints(
    api_as: Callable[..., ApiClient], commander: AbstractUser, default_plan_text: str
) -> None:
    from warroom.plan.services import apply_plan

    apply_plan(default_plan_text.replace("review_every: 365d", "review_every: 100d"))
    api = api_as(commander)
    body = api.get("/plan/diff?from=1&to=2").json()
    assert (body["from_version"], body["to_version"]) == (1, 2)
    assert "-  review_every: 365d\n+  review_every: 100d\n" in body["diff"]
    assert api.get("/plan/diff?from=7").status_code == 404
    export = api.get("/plan/export?lang=zh-hans&format=md")
    assert export["Content-Type"] == "text/markdown; charset=utf-8"
    assert export.content.decode().startswith("# 软件管理应急预案\n")
    assert api.get("/plan/export?lang=fr").status_code == 422
