"""The risk register: overdue filter, sorting by rating, and the risk forms, with the same
permission story as the systems (through the risk's system's owner department)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warroom.catalog.models import Risk, System

Login = Callable[[AbstractUser], Client]


@pytest.fixture
def register(
    it_system: System, ops_system: System, make_risk: Callable[..., Risk]
) -> dict[str, Risk]:
    """Four risks: ratings 15, 12, 4 and 3; two are past their review date."""
    today = timezone.localdate()
    return {
        "breach": make_risk(
            it_system,
            "Breach",
            category="data_leak",
            likelihood=5,
            impact_level="high",
            next_review=today - dt.timedelta(days=3),
        ),
        "outage": make_risk(
            it_system,
            "Outage",
            likelihood=4,
            impact_level="high",
            next_review=today + dt.timedelta(days=30),
        ),
        "typo": make_risk(
            ops_system,
            "Typo in config",
            category="human_error",
            likelihood=4,
            impact_level="low",
            next_review=today - dt.timedelta(days=40),
        ),
        "noise": make_risk(
            ops_system,
            "Alert noise",
            likelihood=1,
            impact_level="high",
            next_review=today + dt.timedelta(days=1),
        ),
    }


def titles(response: Any) -> list[str]:
    return [r.title for r in response.context["risks"]]


def risk_form(risk: Risk | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Certificate expiry",
        "category": "system_failure",
        "likelihood": "2",
        "impact_level": "medium",
        "mitigation": "",
        "owner": "",
        "next_review": "2030-01-31",
    }
    if risk is not None:
        data.update(
            system=risk.system_id,
            title=risk.title,
            category=risk.category,
            likelihood=str(risk.likelihood),
            impact_level=risk.impact_level,
            next_review=risk.next_review.isoformat(),
        )
    data.update(changes)
    return data


def test_register_is_sorted_by_rating_highest_first_by_default(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get("/catalog/risks/")
    assert titles(response) == ["Breach", "Outage", "Typo in config", "Alert noise"]
    assert [r.rating for r in response.context["risks"]] == [15, 12, 4, 3]


def test_register_sorts_by_rating_lowest_first(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get("/catalog/risks/", {"sort": "rating"})
    assert titles(response) == ["Alert noise", "Typo in config", "Outage", "Breach"]


def test_register_sorts_by_next_review(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get("/catalog/risks/", {"sort": "next_review"})
    assert titles(response) == ["Typo in config", "Breach", "Alert noise", "Outage"]


def test_register_shows_overdue_only(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get("/catalog/risks/", {"overdue": "on"})
    assert titles(response) == ["Breach", "Typo in config"]
    response = login(outsider).get("/catalog/risks/", {"overdue": "on", "sort": "rating"})
    assert titles(response) == ["Typo in config", "Breach"]
    assert response.content.decode().count("(overdue)") == 2


def test_register_filter_answers_htmx_with_the_rows_only(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get(
        "/catalog/risks/", {"overdue": "on"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.startswith('<tbody id="risk-rows">')
    assert "<html" not in body
    assert body.count("<tr>") == 2


def test_register_unknown_sort_falls_back_to_rating(
    login: Login, outsider: AbstractUser, register: dict[str, Risk]
) -> None:
    response = login(outsider).get("/catalog/risks/", {"sort": "title; drop table"})
    assert titles(response) == ["Breach", "Outage", "Typo in config", "Alert noise"]


def test_register_queries_do_not_grow_with_rows(
    login: Login,
    ops_rep: AbstractUser,
    it_system: System,
    make_risk: Callable[..., Risk],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(ops_rep)
    make_risk(it_system, "First", owner=ops_rep)
    client.get("/catalog/risks/")  # warm the parsed-plan cache, as in a running server
    # session, user, can_manage_plan, represented_departments, plan version (categories),
    # plan version (levels), risks with their systems and owners
    with django_assert_max_num_queries(7):
        client.get("/catalog/risks/")
    for i in range(15):
        make_risk(it_system, f"Risk {i}", owner=ops_rep)
    with django_assert_max_num_queries(7):
        response = client.get("/catalog/risks/", {"overdue": "", "sort": "rating"})
    assert len(response.context["risks"]) == 16


def test_register_edit_buttons_follow_the_systems_department(
    login: Login,
    commander: AbstractUser,
    ops_rep: AbstractUser,
    outsider: AbstractUser,
    register: dict[str, Risk],
) -> None:
    def offered(user: AbstractUser) -> list[str]:
        body = login(user).get("/catalog/risks/").content.decode()
        return [
            name
            for name, risk in register.items()
            if reverse("catalog:risk-edit", args=[risk.pk]) in body
        ]

    assert offered(commander) == ["breach", "outage", "typo", "noise"]
    assert offered(ops_rep) == ["typo", "noise"]
    assert offered(outsider) == []
    assert (
        reverse("catalog:risk-create")
        not in login(outsider).get("/catalog/risks/").content.decode()
    )


def test_commander_adds_a_risk_to_an_it_system(
    login: Login, commander: AbstractUser, it_system: System, ops_rep: AbstractUser
) -> None:
    client = login(commander)
    page = client.get("/catalog/risks/new/", {"system": it_system.pk})
    assert page.context["form"]["system"].value() == str(it_system.pk)
    assert [c for c, _ in page.context["form"].fields["impact_level"].choices] == [
        "high",
        "medium",
        "low",
    ]
    data = risk_form(system=it_system.pk, owner=ops_rep.pk, impact_level="high", likelihood="3")
    response = client.post("/catalog/risks/new/", data)
    risk = Risk.objects.get(title="Certificate expiry")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/catalog/systems/{it_system.pk}/",
    )
    assert (risk.system, risk.category, risk.likelihood, risk.impact_level, risk.rating) == (
        it_system,
        "system_failure",
        3,
        "high",
        9,
    )
    assert (risk.owner, risk.next_review) == (ops_rep, dt.date(2030, 1, 31))


def test_ops_rep_adds_a_risk_to_an_operations_system_only(
    login: Login, ops_rep: AbstractUser, it_system: System, ops_system: System
) -> None:
    client = login(ops_rep)
    ok = client.post("/catalog/risks/new/", risk_form(system=ops_system.pk))
    assert ok.status_code == 302
    denied = client.post("/catalog/risks/new/", risk_form(system=it_system.pk, title="Nope"))
    assert denied.status_code == 403
    assert list(Risk.objects.values_list("title", flat=True)) == ["Certificate expiry"]


def test_ops_rep_edits_an_operations_risk_but_not_an_it_one(
    login: Login, ops_rep: AbstractUser, register: dict[str, Risk]
) -> None:
    client = login(ops_rep)
    typo = register["typo"]
    response = client.post(
        reverse("catalog:risk-edit", args=[typo.pk]), risk_form(typo, likelihood="5")
    )
    assert response.status_code == 302
    typo.refresh_from_db()
    assert (typo.likelihood, typo.rating) == (5, 5)
    breach = register["breach"]
    url = reverse("catalog:risk-edit", args=[breach.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, risk_form(breach, likelihood="1")).status_code == 403
    breach.refresh_from_db()
    assert breach.likelihood == 5


def test_ops_rep_may_not_move_a_risk_to_an_it_system(
    login: Login, ops_rep: AbstractUser, register: dict[str, Risk], it_system: System
) -> None:
    typo = register["typo"]
    url = reverse("catalog:risk-edit", args=[typo.pk])
    assert login(ops_rep).post(url, risk_form(typo, system=it_system.pk)).status_code == 403
    typo.refresh_from_db()
    assert typo.system.name == "Monitoring"


def test_outsider_may_not_add_edit_or_delete_risks(
    login: Login, outsider: AbstractUser, register: dict[str, Risk], ops_system: System
) -> None:
    client = login(outsider)
    noise = register["noise"]
    assert client.get("/catalog/risks/new/").status_code == 403
    assert client.post("/catalog/risks/new/", risk_form(system=ops_system.pk)).status_code == 403
    edit = reverse("catalog:risk-edit", args=[noise.pk])
    assert client.post(edit, risk_form(noise, title="Mine")).status_code == 403
    delete = reverse("catalog:risk-delete", args=[noise.pk])
    assert client.post(delete).status_code == 403
    assert Risk.objects.count() == 4


def test_risk_form_rejects_a_missing_review_date_next_to_the_field(
    login: Login, commander: AbstractUser, it_system: System
) -> None:
    response = login(commander).post(
        "/catalog/risks/new/", risk_form(system=it_system.pk, next_review="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"next_review": ["This field is required."]}
    assert Risk.objects.count() == 0


def test_ops_rep_deletes_an_operations_risk(
    login: Login, ops_rep: AbstractUser, register: dict[str, Risk]
) -> None:
    client = login(ops_rep)
    url = reverse("catalog:risk-delete", args=[register["noise"].pk])
    ask = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Delete the risk “Alert noise” of Monitoring?" in ask
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, "/catalog/risks/")
    assert sorted(Risk.objects.values_list("title", flat=True)) == [
        "Breach",
        "Outage",
        "Typo in config",
    ]
