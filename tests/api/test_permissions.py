"""The permission matrix: an owner (the commander), a department representative (operations)
and an outsider (a developer who holds no team role), across the API's writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from tests.conftest import ApiClient, dept
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.people.models import Department, TeamMembership
from warroom.resources.models import Resource
from warroom.resources.services import save_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_system(plan: Any) -> System:
    return save_system(
        None, name="Monitoring", kind="internal", owner_department=dept("operations")
    )


@pytest.fixture
def it_system(plan: Any) -> System:
    return save_system(None, name="ERP", kind="erp", owner_department=dept("it"))


@pytest.fixture
def ops_resource(plan: Any) -> Resource:
    return save_resource(
        None, kind="spare_servers", name="Spare rack 1", department=dept("operations")
    )


def _system_body(name: str, owner: str) -> dict[str, Any]:
    return {"name": name, "kind": "crm", "owner_department": owner}


def test_everyone_signed_in_reads(
    api_as: Callable[..., ApiClient], outsider: AbstractUser, it_system: System
) -> None:
    api = api_as(outsider)
    for path in (
        "/plan",
        "/plan/versions",
        "/systems",
        f"/systems/{it_system.pk}",
        "/risks",
        "/departments",
        "/people",
        "/team",
        "/resources",
        "/contacts",
        "/me",
    ):
        assert api.get(path).status_code == 200, path


def test_anonymous_is_refused(client: Any, plan: Any) -> None:
    for path in ("/api/v1/plan", "/api/v1/systems", "/api/v1/people"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json() == {"detail": "authentication required"}
    assert client.get("/api/v1/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [
        ("commander", "it", 201),
        ("commander", "operations", 201),
        ("ops_rep", "operations", 201),
        ("ops_rep", "it", 403),
        ("outsider", "operations", 403),
        ("outsider", "development", 403),
    ],
)
def test_create_system_matrix(
    request: Any, api_as: Callable[..., ApiClient], who: str, owner: str, status: int
) -> None:
    api = api_as(request.getfixturevalue(who))
    response = api.post("/systems", _system_body(f"CRM of {owner}", owner))
    assert response.status_code == status
    assert System.objects.filter(name=f"CRM of {owner}").exists() == (status == 201)


@pytest.mark.parametrize(
    ("who", "status"), [("commander", 200), ("ops_rep", 200), ("outsider", 403)]
)
def test_edit_own_department_system(
    request: Any, api_as: Callable[..., ApiClient], ops_system: System, who: str, status: int
) -> None:
    api = api_as(request.getfixturevalue(who))
    response = api.patch(f"/systems/{ops_system.pk}", {"description": "probes"})
    assert response.status_code == status
    ops_system.refresh_from_db()
    assert ops_system.description == ("probes" if status == 200 else "")


def test_representative_cannot_move_a_system_out_of_reach(
    api_as: Callable[..., ApiClient], ops_rep: AbstractUser, ops_system: System, it_system: System
) -> None:
    api = api_as(ops_rep)
    assert api.patch(f"/systems/{ops_system.pk}", {"owner_department": "it"}).status_code == 403
    assert api.patch(f"/systems/{it_system.pk}", {"description": "x"}).status_code == 403
    assert api.delete(f"/systems/{it_system.pk}").status_code == 403
    assert api.delete(f"/systems/{ops_system.pk}").status_code == 204
    assert not System.objects.filter(pk=ops_system.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("commander", 200), ("ops_rep", 200), ("outsider", 403)]
)
def test_edit_resource_matrix(
    request: Any, api_as: Callable[..., ApiClient], ops_resource: Resource, who: str, status: int
) -> None:
    api = api_as(request.getfixturevalue(who))
    assert (
        api.patch(f"/resources/{ops_resource.pk}", {"state": "maintenance"}).status_code == status
    )


@pytest.mark.parametrize(
    ("who", "status"), [("commander", 201), ("admin", 201), ("ops_rep", 403), ("outsider", 403)]
)
def test_only_managers_change_the_team(
    request: Any,
    api_as: Callable[..., ApiClient],
    plan: Any,
    make_person: Any,
    who: str,
    status: int,
) -> None:
    newcomer = make_person("nina", "legal")
    api = api_as(request.getfixturevalue(who))
    response = api.post("/team", {"role": "legal_rep", "person": "nina"})
    assert response.status_code == status
    assert TeamMembership.objects.filter(person=newcomer).exists() == (status == 201)


@pytest.mark.parametrize(
    ("who", "status"), [("commander", 201), ("admin", 201), ("ops_rep", 403), ("outsider", 403)]
)
def test_only_managers_apply_a_plan(
    request: Any,
    api_as: Callable[..., ApiClient],
    plan: Any,
    default_plan_text: str,
    who: str,
    status: int,
) -> None:
    changed = default_plan_text.replace("every: 90d", "every: 60d")
    assert changed != default_plan_text
    api = api_as(request.getfixturevalue(who))
    response = api.post("/plan/apply", {"source": changed, "comment": "drills every 60 days"})
    assert response.status_code == status
    if status == 201:
        assert response.json()["version"]["number"] == 2


def test_contact_methods_are_private(
    api_as: Callable[..., ApiClient],
    commander: AbstractUser,
    outsider: AbstractUser,
    ops_rep: AbstractUser,
) -> None:
    url = "mailto://olga@example.com"
    assert (
        api_as(ops_rep)
        .patch(f"/people/{ops_rep.pk}", {"contact_methods": [{"label": "mail", "url": url}]})
        .status_code
        == 200
    )
    assert api_as(ops_rep).get(f"/people/{ops_rep.pk}").json()["contact_methods"] == [
        {"label": "mail", "url": url}
    ]
    assert api_as(commander).get(f"/people/{ops_rep.pk}").json()["contact_methods"] == [
        {"label": "mail", "url": url}
    ]
    assert api_as(outsider).get(f"/people/{ops_rep.pk}").json()["contact_methods"] is None
    assert api_as(outsider).patch(f"/people/{ops_rep.pk}", {"phone": "110"}).status_code == 403


def test_people_may_not_move_themselves_between_departments(
    api_as: Callable[..., ApiClient], outsider: AbstractUser
) -> None:
    response = api_as(outsider).patch(f"/people/{outsider.pk}", {"department": "operations"})
    assert response.status_code == 403
    assert outsider.profile.department == Department.objects.get(code="development")


def test_read_only_token_cannot_write(
    api_as: Callable[..., ApiClient], commander: AbstractUser
) -> None:
    api = api_as(commander, read_only=True)
    assert api.get("/systems").status_code == 200
    response = api.post("/systems", _system_body("CRM", "it"))
    assert response.status_code == 403
    assert response.json() == {"detail": "this API token is read-only"}


def test_removing_a_role_holder_takes_their_rights(
    api_as: Callable[..., ApiClient], ops_rep: AbstractUser, ops_system: System
) -> None:
    from warroom.people.services import remove_team_member

    api = api_as(ops_rep)
    assert api.patch(f"/systems/{ops_system.pk}", {"description": "a"}).status_code == 200
    remove_team_member(TeamMembership.objects.get(person=ops_rep))
    assert api.patch(f"/systems/{ops_system.pk}", {"description": "b"}).status_code == 403
    assert not ops_rep.groups.exists()
