"""The systems pages: list with a kind filter, a detail page, and the forms, told as the
three-person story (commander may, the operations representative may for operations-owned
systems only, the outsider may not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from warroom.catalog import services as catalog
from warroom.catalog.models import Risk, System

from .conftest import department

Login = Callable[[AbstractUser], Client]


def system_form(system: System | None = None, **changes: Any) -> dict[str, Any]:
    """What the browser submits for the system form, starting from `system` when given."""
    data: dict[str, Any] = {
        "name": "CRM",
        "kind": "crm",
        "owner_department": department("operations").pk,
        "criticality": "high",
        "description": "",
        "backup_location": "",
        "backup_frequency": "",
        "last_restore_verified": "",
        "runbook_links": "",
        "depends_on": [],
    }
    if system is not None:
        data.update(
            name=system.name,
            kind=system.kind,
            owner_department=system.owner_department_id,
            criticality=system.criticality,
            runbook_links="\n".join(system.runbook_links),
            depends_on=[s.pk for s in system.depends_on.all()],
        )
    data.update(changes)
    return data


def edit_url(system: System) -> str:
    return reverse("catalog:system-edit", args=[system.pk])


def delete_url(system: System) -> str:
    return reverse("catalog:system-delete", args=[system.pk])


# The list


def test_system_list_filters_by_kind(
    login: Login, commander: AbstractUser, it_system: System, ops_system: System
) -> None:
    response = login(commander).get("/catalog/systems/", {"kind": "internal"})
    assert response.status_code == 200
    assert [s.name for s in response.context["systems"]] == ["Monitoring"]
    all_kinds = login(commander).get("/catalog/systems/")
    assert [s.name for s in all_kinds.context["systems"]] == ["ERP", "Monitoring"]


def test_system_list_kind_filter_answers_htmx_with_the_rows_only(
    login: Login, commander: AbstractUser, it_system: System, ops_system: System
) -> None:
    response = login(commander).get(
        "/catalog/systems/", {"kind": "erp"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<tbody id="system-rows">')
    assert "<html" not in body
    assert ">ERP</a>" in body
    assert "Monitoring" not in body
    assert response["Vary"] == "HX-Request, Accept-Language, Cookie"


def test_system_list_history_restore_gets_the_whole_page(
    login: Login, commander: AbstractUser, it_system: System
) -> None:
    response = login(commander).get(
        "/catalog/systems/",
        {"kind": "erp"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert response.content.decode().lstrip().startswith("<!doctype html>")


def test_system_list_queries_do_not_grow_with_rows(
    login: Login,
    ops_rep: AbstractUser,
    make_system: Callable[..., System],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(ops_rep)
    base = make_system("Base", "it")
    for i in range(3):
        make_system(f"S{i}", "operations", depends_on=[base])
    client.get("/catalog/systems/")  # warm the parsed-plan cache, as in a running server
    # session, user, can_manage_plan, represented_departments, plan version, systems,
    # their dependencies
    with django_assert_max_num_queries(7):
        small = client.get("/catalog/systems/")
    for i in range(3, 20):
        make_system(f"S{i}", "it" if i % 2 else "operations", depends_on=[base])
    with django_assert_max_num_queries(7):
        large = client.get("/catalog/systems/")
    assert len(small.context["systems"]) == 4
    assert len(large.context["systems"]) == 21


def test_system_list_edit_buttons_follow_the_department(
    login: Login,
    commander: AbstractUser,
    ops_rep: AbstractUser,
    outsider: AbstractUser,
    it_system: System,
    ops_system: System,
) -> None:
    new = reverse("catalog:system-create")
    page = login(commander).get("/catalog/systems/").content.decode()
    assert (new in page, edit_url(it_system) in page, edit_url(ops_system) in page) == (
        True,
        True,
        True,
    )
    page = login(ops_rep).get("/catalog/systems/").content.decode()
    assert (new in page, edit_url(it_system) in page, edit_url(ops_system) in page) == (
        True,
        False,
        True,
    )
    assert delete_url(it_system) not in page
    page = login(outsider).get("/catalog/systems/").content.decode()
    assert (new in page, edit_url(it_system) in page, edit_url(ops_system) in page) == (
        False,
        False,
        False,
    )
    assert delete_url(ops_system) not in page


# The detail page


def test_system_detail_shows_facts_dependencies_risks_and_what_else_is_at_risk(
    login: Login,
    outsider: AbstractUser,
    make_system: Callable[..., System],
    make_risk: Callable[..., Risk],
) -> None:
    db = make_system("Database", "it", kind="internal")
    erp = make_system(
        "ERP",
        "it",
        criticality="critical",
        backup_location="s3://backups/erp",
        backup_frequency="hourly",
        last_restore_verified=dt.date(2026, 3, 1),
        runbook_links=["https://wiki.example.com/erp", "https://runbooks.example.com/restore"],
        depends_on=[db],
    )
    shop = make_system("Web shop", "operations", kind="website", depends_on=[erp])
    make_system("Mobile app", "development", kind="mobile_app", depends_on=[shop])
    make_system("Unrelated", "it")
    make_risk(erp, "Disk full", likelihood=4, impact_level="high")

    response = login(outsider).get(reverse("catalog:system", args=[erp.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert [s.name for s in response.context["at_risk_direct"]] == ["Web shop"]
    assert [s.name for s in response.context["at_risk_indirect"]] == ["Mobile app"]
    assert "Also at risk if this fails" in body
    assert "(depends on it directly)" in body
    assert "(depends on it through other systems)" in body
    assert "Unrelated" not in body
    for text in (
        "s3://backups/erp",
        "hourly",
        "2026-03-01",
        "Critical",
        '<a href="https://wiki.example.com/erp" rel="noopener noreferrer" target="_blank">',
        'href="https://runbooks.example.com/restore"',
        f'<a href="/catalog/systems/{db.pk}/">Database</a>',
        "Disk full",
    ):
        assert text in body, text
    assert [r.rating for r in response.context["risks"]] == [12]
    # the outsider reads but is offered no change
    assert edit_url(erp) not in body
    assert delete_url(erp) not in body
    assert reverse("catalog:risk-create") not in body


def test_system_detail_of_a_leaf_says_nothing_else_is_at_risk(
    login: Login, outsider: AbstractUser, it_system: System
) -> None:
    body = login(outsider).get(reverse("catalog:system", args=[it_system.pk])).content.decode()
    assert "No other system depends on it." in body


def test_system_detail_offers_edit_to_the_owning_department(
    login: Login, ops_rep: AbstractUser, ops_system: System
) -> None:
    body = login(ops_rep).get(reverse("catalog:system", args=[ops_system.pk])).content.decode()
    assert f'href="{edit_url(ops_system)}"' in body
    assert f'hx-get="{delete_url(ops_system)}"' in body
    assert f'href="/catalog/risks/new/?system={ops_system.pk}"' in body


# Creating


def test_commander_creates_a_system_of_any_department(
    login: Login, commander: AbstractUser, it_system: System
) -> None:
    data = system_form(
        name="CRM",
        owner_department=department("customer_service").pk,
        last_restore_verified="2026-02-03",
        runbook_links="https://wiki.example.com/crm\n\n  https://wiki.example.com/crm2  \n",
        depends_on=[it_system.pk],
    )
    response = login(commander).post("/catalog/systems/new/", data)
    crm = System.objects.get(name="CRM")
    assert response.status_code == 302
    assert response["Location"] == f"/catalog/systems/{crm.pk}/"
    assert (crm.kind, crm.owner_department.code, crm.criticality) == (
        "crm",
        "customer_service",
        "high",
    )
    assert crm.last_restore_verified == dt.date(2026, 2, 3)
    assert crm.runbook_links == ["https://wiki.example.com/crm", "https://wiki.example.com/crm2"]
    assert [s.name for s in crm.depends_on.all()] == ["ERP"]


def test_ops_rep_creates_an_operations_system(login: Login, ops_rep: AbstractUser) -> None:
    response = login(ops_rep).post("/catalog/systems/new/", system_form(name="Pager"))
    assert response.status_code == 302
    assert System.objects.get(name="Pager").owner_department.code == "operations"


def test_ops_rep_may_not_create_an_it_system(login: Login, ops_rep: AbstractUser) -> None:
    data = system_form(name="Payroll", owner_department=department("it").pk)
    response = login(ops_rep).post("/catalog/systems/new/", data)
    assert response.status_code == 403
    assert not System.objects.filter(name="Payroll").exists()


def test_outsider_may_not_open_or_post_the_new_system_form(
    login: Login, outsider: AbstractUser, plan: Any
) -> None:
    client = login(outsider)
    page = client.get("/catalog/systems/new/")
    assert page.status_code == 403
    assert "<h1>Not allowed</h1>" in page.content.decode()
    assert client.post("/catalog/systems/new/", system_form(name="Sneaky")).status_code == 403
    assert System.objects.count() == 0


def test_new_system_form_offers_the_plan_kinds_in_the_ui_language(
    login: Login, commander: AbstractUser
) -> None:
    client = login(commander)
    form = client.get("/catalog/systems/new/").context["form"]
    assert [code for code, _ in form.fields["kind"].choices] == [
        "erp",
        "crm",
        "website",
        "mobile_app",
        "internal",
        "other",
    ]
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    form = client.get("/catalog/systems/new/").context["form"]
    assert dict(form.fields["kind"].choices)["erp"] != "ERP system"
    assert (
        dict(form.fields["kind"].choices)["erp"]
        == dict((c.code, c.name.zh) for c in catalog.current_plan().scope.system_kinds)["erp"]
    )


def test_system_form_shows_the_services_errors_next_to_the_field(
    login: Login, commander: AbstractUser, it_system: System
) -> None:
    client = login(commander)
    response = client.post(
        "/catalog/systems/new/", system_form(name="ERP", runbook_links="https://ok.example.com")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["a system named 'ERP' already exists"]}
    response = client.post(
        "/catalog/systems/new/", system_form(name="Docs", runbook_links="ftp://files.example.com")
    )
    assert response.context["form"].errors == {
        "runbook_links": ["not an http(s) URL: 'ftp://files.example.com'"]
    }
    assert (
        '<p class="error field-error" id="id_runbook_links_error">'
        "not an http(s) URL: &#x27;ftp://files.example.com&#x27;</p>"
    ) in response.content.decode()
    assert System.objects.count() == 1


# Editing


def test_ops_rep_edits_an_operations_system(
    login: Login, ops_rep: AbstractUser, ops_system: System, make_system: Callable[..., System]
) -> None:
    queue = make_system("Queue", "operations", kind="internal")
    client = login(ops_rep)
    page = client.get(edit_url(ops_system))
    assert page.status_code == 200
    assert page.context["form"].initial["name"] == "Monitoring"
    data = system_form(ops_system, backup_frequency="daily", depends_on=[queue.pk])
    response = client.post(edit_url(ops_system), data)
    assert response.status_code == 302
    ops_system.refresh_from_db()
    assert ops_system.backup_frequency == "daily"
    assert [s.name for s in ops_system.depends_on.all()] == ["Queue"]


def test_ops_rep_may_not_edit_an_it_system(
    login: Login, ops_rep: AbstractUser, it_system: System
) -> None:
    client = login(ops_rep)
    assert client.get(edit_url(it_system)).status_code == 403
    response = client.post(edit_url(it_system), system_form(it_system, backup_frequency="never"))
    assert response.status_code == 403
    it_system.refresh_from_db()
    assert it_system.backup_frequency == "hourly"


def test_ops_rep_may_not_hand_a_system_to_it(
    login: Login, ops_rep: AbstractUser, ops_system: System
) -> None:
    data = system_form(ops_system, owner_department=department("it").pk)
    assert login(ops_rep).post(edit_url(ops_system), data).status_code == 403
    ops_system.refresh_from_db()
    assert ops_system.owner_department.code == "operations"


def test_outsider_may_not_edit_or_delete(
    login: Login, outsider: AbstractUser, ops_system: System
) -> None:
    client = login(outsider)
    assert client.get(edit_url(ops_system)).status_code == 403
    assert client.post(edit_url(ops_system), system_form(ops_system, name="X")).status_code == 403
    assert client.post(delete_url(ops_system)).status_code == 403
    assert System.objects.filter(name="Monitoring").count() == 1


def test_commander_edits_an_it_system(
    login: Login, commander: AbstractUser, it_system: System
) -> None:
    data = system_form(it_system, criticality="low")
    assert login(commander).post(edit_url(it_system), data).status_code == 302
    it_system.refresh_from_db()
    assert it_system.criticality == "low"


def test_cycle_is_shown_on_depends_on_and_nothing_changes(
    login: Login, commander: AbstractUser, make_system: Callable[..., System]
) -> None:
    db = make_system("Database", "it")
    erp = make_system("ERP", "it", depends_on=[db])
    shop = make_system("Shop", "it", depends_on=[erp])
    data = system_form(db, name="Main database", depends_on=[shop.pk])
    response = login(commander).post(edit_url(db), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "depends_on": ["dependency cycle: Main database → Shop → ERP → Main database"]
    }
    assert (
        '<p class="error field-error" id="id_depends_on_error">'
        "dependency cycle: Main database → Shop → ERP → Main database</p>"
    ) in response.content.decode()
    db.refresh_from_db()
    assert db.name == "Database"
    assert list(db.depends_on.all()) == []


def test_edit_form_does_not_offer_the_system_itself_as_a_dependency(
    login: Login, commander: AbstractUser, it_system: System, ops_system: System
) -> None:
    form = login(commander).get(edit_url(it_system)).context["form"]
    assert [s.name for s in form.fields["depends_on"].queryset] == ["Monitoring"]


# Deleting


def test_delete_asks_inline_for_htmx_then_deletes_on_post(
    login: Login, ops_rep: AbstractUser, ops_system: System, make_risk: Callable[..., Risk]
) -> None:
    make_risk(ops_system, "Alert storm")
    client = login(ops_rep)
    ask = client.get(delete_url(ops_system), headers={"HX-Request": "true"})
    body = ask.content.decode()
    assert ask.status_code == 200
    assert "<html" not in body
    assert "Delete the system “Monitoring”?" in body
    assert "Its 1 risk is deleted with it." in body
    assert f'<form method="post" action="{delete_url(ops_system)}">' in body
    page = client.get(delete_url(ops_system))
    assert "<!doctype html>" in page.content.decode()
    done = client.post(delete_url(ops_system))
    assert (done.status_code, done["Location"]) == (302, "/catalog/systems/")
    assert not System.objects.filter(pk=ops_system.pk).exists()
    assert Risk.objects.count() == 0


def test_ops_rep_may_not_delete_an_it_system(
    login: Login, ops_rep: AbstractUser, it_system: System
) -> None:
    client = login(ops_rep)
    assert client.get(delete_url(it_system)).status_code == 403
    assert client.post(delete_url(it_system)).status_code == 403
    assert System.objects.filter(pk=it_system.pk).exists()


@pytest.mark.parametrize("path", ["/catalog/systems/999/", "/catalog/systems/999/edit/"])
def test_unknown_system_is_404(login: Login, commander: AbstractUser, path: str) -> None:
    assert login(commander).get(path).status_code == 404
