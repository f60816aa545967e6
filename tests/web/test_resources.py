"""The inventory and the outside contacts: forms and state changes. A resource is changed by
its department's representatives (and the commander); contacts by any member of the team."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from warroom.resources.models import ExternalContact, Resource

from .conftest import department

Login = Callable[[AbstractUser], Client]


def resource_form(resource: Resource | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Spare switch",
        "kind": "backup_equipment",
        "quantity": "2",
        "state": "available",
        "location": "Rack B",
        "department": department("operations").pk,
        "custodian": "",
        "last_checked": "",
        "notes": "",
    }
    if resource is not None:
        data.update(
            name=resource.name,
            kind=resource.kind,
            quantity=str(resource.quantity),
            state=resource.state,
            location=resource.location,
            department=resource.department_id,
        )
    data.update(changes)
    return data


def contact_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Li & Partners",
        "kind": "legal",
        "covers": "Data protection law",
        "contract_ref": "",
        "phone": "",
        "email": "counsel@example.com",
        "how_to_reach": "",
    }
    data.update(changes)
    return data


# Inventory


def test_inventory_queries_do_not_grow_with_rows(
    login: Login,
    ops_rep: AbstractUser,
    make_resource: Callable[..., Resource],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(ops_rep)
    make_resource("Server 1", custodian=ops_rep)
    client.get("/resources/")  # warm the parsed-plan cache, as in a running server
    # session, user, can_manage_plan, represented_departments, plan version, resources
    # with departments and custodians
    with django_assert_max_num_queries(6):
        client.get("/resources/")
    for i in range(2, 15):
        make_resource(f"Server {i}", "operations" if i % 2 else "it", custodian=ops_rep)
    with django_assert_max_num_queries(6):
        response = client.get("/resources/")
    assert len(response.context["items"]) == 14


def test_inventory_edit_controls_follow_the_department(
    login: Login,
    commander: AbstractUser,
    ops_rep: AbstractUser,
    outsider: AbstractUser,
    make_resource: Callable[..., Resource],
) -> None:
    it_server = make_resource("IT server", "it")
    ops_kit = make_resource("Ops kit", "operations", kind="emergency_comms")

    def offered(user: AbstractUser) -> tuple[bool, bool, bool, bool]:
        body = login(user).get("/resources/").content.decode()
        return (
            reverse("resources:resource-create") in body,
            reverse("resources:resource-edit", args=[it_server.pk]) in body,
            reverse("resources:resource-edit", args=[ops_kit.pk]) in body,
            reverse("resources:resource-state", args=[it_server.pk]) in body,
        )

    assert offered(commander) == (True, True, True, True)
    assert offered(ops_rep) == (True, False, True, False)
    assert offered(outsider) == (False, False, False, False)


def test_ops_rep_adds_an_operations_resource(login: Login, ops_rep: AbstractUser) -> None:
    data = resource_form(custodian=ops_rep.pk, last_checked="2026-04-01")
    response = login(ops_rep).post("/resources/new/", data)
    assert (response.status_code, response["Location"]) == (302, "/resources/")
    item = Resource.objects.get(name="Spare switch")
    assert (item.kind, item.quantity, item.state, item.location, item.department.code) == (
        "backup_equipment",
        2,
        "available",
        "Rack B",
        "operations",
    )
    assert (item.custodian, item.last_checked) == (ops_rep, dt.date(2026, 4, 1))


def test_ops_rep_may_not_add_or_edit_it_resources(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    client = login(ops_rep)
    created = client.post("/resources/new/", resource_form(department=department("it").pk))
    assert created.status_code == 403
    server = make_resource("IT server", "it")
    edit = reverse("resources:resource-edit", args=[server.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, resource_form(server, quantity="9")).status_code == 403
    assert client.post(reverse("resources:resource-delete", args=[server.pk])).status_code == 403
    server.refresh_from_db()
    assert server.quantity == 1
    assert list(Resource.objects.values_list("name", flat=True)) == ["IT server"]


def test_commander_edits_an_it_resource(
    login: Login, commander: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    server = make_resource("IT server", "it")
    url = reverse("resources:resource-edit", args=[server.pk])
    assert login(commander).get(url).context["form"].initial["name"] == "IT server"
    assert login(commander).post(url, resource_form(server, quantity="4")).status_code == 302
    server.refresh_from_db()
    assert server.quantity == 4


def test_outsider_may_not_change_resources(
    login: Login, outsider: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    client = login(outsider)
    assert client.get("/resources/new/").status_code == 403
    assert client.post("/resources/new/", resource_form()).status_code == 403
    edit = reverse("resources:resource-edit", args=[kit.pk])
    assert client.post(edit, resource_form(kit, name="Mine")).status_code == 403
    state = reverse("resources:resource-state", args=[kit.pk])
    assert client.post(state, {"state": "retired"}).status_code == 403
    kit.refresh_from_db()
    assert (kit.name, kit.state) == ("Ops kit", "available")


def test_resource_form_shows_a_duplicate_name_on_the_name_field(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    make_resource("Spare switch", "operations")
    response = login(ops_rep).post("/resources/new/", resource_form())
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["a resource named 'Spare switch' already exists"]
    }


def test_state_change_from_htmx_answers_with_the_row(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    response = login(ops_rep).post(
        reverse("resources:resource-state", args=[kit.pk]),
        {"state": "allocated"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(f'<tr id="resource-{kit.pk}">')
    assert '<option value="allocated" selected>Allocated</option>' in body
    kit.refresh_from_db()
    assert kit.state == "allocated"


def test_state_change_without_javascript_returns_to_the_list(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    client = login(ops_rep)
    response = client.post(
        reverse("resources:resource-state", args=[kit.pk]), {"state": "maintenance"}
    )
    assert (response.status_code, response["Location"]) == (302, "/resources/")
    page = client.get("/resources/").content.decode()
    assert "“Ops kit” is now: Maintenance." in page
    kit.refresh_from_db()
    assert kit.state == "maintenance"


def test_state_change_rejects_an_unknown_state(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    response = login(ops_rep).post(
        reverse("resources:resource-state", args=[kit.pk]),
        {"state": "lost"},
        headers={"HX-Request": "true"},
    )
    assert (
        '<p class="error field-error">'
        "Select a valid choice. lost is not one of the available choices.</p>"
    ) in response.content.decode()
    kit.refresh_from_db()
    assert kit.state == "available"


def test_state_change_is_post_only(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    url = reverse("resources:resource-state", args=[kit.pk])
    assert login(ops_rep).get(url).status_code == 405


def test_ops_rep_deletes_an_operations_resource(
    login: Login, ops_rep: AbstractUser, make_resource: Callable[..., Resource]
) -> None:
    kit = make_resource("Ops kit", "operations")
    url = reverse("resources:resource-delete", args=[kit.pk])
    client = login(ops_rep)
    assert "Delete the resource “Ops kit”?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Resource.objects.exists()


# Outside contacts


def test_contacts_page_offers_changes_to_team_members_only(
    login: Login,
    commander: AbstractUser,
    ops_rep: AbstractUser,
    outsider: AbstractUser,
    contact: ExternalContact,
    django_assert_max_num_queries: Any,
) -> None:
    edit = reverse("resources:contact-edit", args=[contact.pk])
    for user, shown in ((commander, True), (ops_rep, True), (outsider, False)):
        body = login(user).get("/resources/contacts/").content.decode()
        assert (edit in body, reverse("resources:contact-create") in body) == (shown, shown)
    client = login(outsider)
    # session, user, can_manage_plan, represented_departments, contacts
    with django_assert_max_num_queries(5):
        client.get("/resources/contacts/")


def test_any_team_member_adds_and_edits_contacts(
    login: Login, ops_rep: AbstractUser, contact: ExternalContact
) -> None:
    client = login(ops_rep)
    response = client.post("/resources/contacts/new/", contact_form())
    assert (response.status_code, response["Location"]) == (302, "/resources/contacts/")
    added = ExternalContact.objects.get(name="Li & Partners")
    assert (added.kind, added.email, added.covers) == (
        "legal",
        "counsel@example.com",
        "Data protection law",
    )
    url = reverse("resources:contact-edit", args=[contact.pk])
    assert client.get(url).context["form"].initial["phone"] == "+86 10 1234 5678"
    data = contact_form(name="Acme DB support", kind="vendor", phone="+86 10 9999 0000", email="")
    assert client.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+86 10 9999 0000"


def test_a_backup_counts_as_a_team_member_for_contacts(
    login: Login, commander: AbstractUser, outsider: AbstractUser, plan: Any
) -> None:
    from warroom.people import services as people
    from warroom.people.models import TeamMembership

    people.set_backup(TeamMembership.objects.get(person=commander), outsider)
    response = login(outsider).post("/resources/contacts/new/", contact_form())
    assert response.status_code == 302


def test_outsider_may_not_change_contacts(
    login: Login, outsider: AbstractUser, contact: ExternalContact
) -> None:
    client = login(outsider)
    assert client.get("/resources/contacts/new/").status_code == 403
    assert client.post("/resources/contacts/new/", contact_form()).status_code == 403
    edit = reverse("resources:contact-edit", args=[contact.pk])
    assert client.post(edit, contact_form(name="Acme DB support")).status_code == 403
    delete = reverse("resources:contact-delete", args=[contact.pk])
    assert client.post(delete).status_code == 403
    assert list(ExternalContact.objects.values_list("name", "phone")) == [
        ("Acme DB support", "+86 10 1234 5678")
    ]


def test_a_contact_needs_a_way_to_reach_them(login: Login, commander: AbstractUser) -> None:
    response = login(commander).post("/resources/contacts/new/", contact_form(email=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "how_to_reach": ["give at least a phone, an email or how to reach them"]
    }
    assert not ExternalContact.objects.exists()


def test_commander_deletes_a_contact(
    login: Login, commander: AbstractUser, contact: ExternalContact
) -> None:
    url = reverse("resources:contact-delete", args=[contact.pk])
    client = login(commander)
    ask = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Delete the outside contact “Acme DB support”?" in ask
    assert client.post(url).status_code == 302
    assert not ExternalContact.objects.exists()
