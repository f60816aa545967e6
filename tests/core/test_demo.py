from __future__ import annotations

import datetime as dt
from collections import Counter

import apprise
import pytest
from django.contrib.auth import get_user_model

from tests.exchange.helpers import export, run, stored
from warroom.catalog.models import Risk, System
from warroom.catalog.queries import overdue_risks
from warroom.lib.graph import find_cycle
from warroom.people.models import ContactMethod, Profile, TeamMembership, TeamRole
from warroom.plan.models import PlanVersion
from warroom.plan.queries import current_plan
from warroom.resources.models import ExternalContact, Resource

User = get_user_model()


@pytest.fixture
def demo(plan: PlanVersion) -> None:
    result = run("demo")
    assert result.returncode == 0, result.err
    assert result.out == (
        "loaded the demo company\n"
        "  systems: 8 created, 0 updated, 0 unchanged\n"
        "  risks: 10 created, 0 updated, 0 unchanged\n"
        "  people: 14 created, 0 updated, 0 unchanged\n"
        "  resources: 14 created, 0 updated, 0 unchanged\n"
        "  contacts: 4 created, 0 updated, 0 unchanged\n"
    )


def test_demo_systems_cover_every_kind_of_the_plan_without_cycles(demo: None) -> None:
    kinds = Counter(System.objects.values_list("kind", flat=True))
    assert kinds == {"erp": 1, "crm": 1, "website": 1, "mobile_app": 1, "internal": 1, "other": 3}
    graph = {s.name: {d.name for d in s.depends_on.all()} for s in System.objects.all()}
    assert find_cycle(graph) is None
    assert graph["API Gateway"] == {
        "CRM 客户关系管理",
        "ERP 企业资源计划",
        "SSO / Identity (Keycloak)",
    }
    assert graph["Shared Database (PostgreSQL)"] == set()
    for system in System.objects.all():
        assert system.backup_location and system.backup_frequency, system.name
        assert system.runbook_links, system.name


def test_demo_risks_span_every_category_with_some_reviews_overdue(demo: None) -> None:
    categories = set(Risk.objects.values_list("category", flat=True))
    assert categories == {c.code for c in current_plan().risk_categories}
    assert Risk.objects.values("system").distinct().count() == 8
    overdue = overdue_risks(today=dt.date(2026, 11, 28))
    assert [r.title for r in overdue] == [
        "Wrong batch job deletes posted vouchers",
        "A bad configuration rollout blocks all API traffic",
        "Primary node crash with an untested failover",
        "Customer records exported by a compromised account",
    ]


def test_demo_team_has_every_role_filled_with_a_backup(demo: None) -> None:
    memberships = TeamMembership.objects.select_related("role", "person", "backup")
    assert sorted(m.role.code for m in memberships) == sorted(
        TeamRole.objects.values_list("code", flat=True)
    )
    for membership in memberships:
        assert membership.backup is not None, membership.role.code
        assert membership.backup != membership.person
    departments = set(Profile.objects.values_list("department__code", flat=True))
    assert departments == {d.code for d in current_plan().departments}
    commander = TeamMembership.objects.get(role__code="commander")
    assert (commander.person.last_name, commander.person.first_name) == ("张", "伟")
    assert commander.backup is not None and commander.backup.username == "li.na"
    assert User.objects.filter(profile__language="en").count() == 6


def test_demo_contact_methods_are_accepted_by_apprise(demo: None) -> None:
    urls = list(ContactMethod.objects.values_list("url", flat=True))
    schemes = {url.split("://")[0] for url in urls}
    assert schemes == {"mailto", "dingtalk", "wecombot", "json"}
    for url in urls:
        assert apprise.Apprise().add(url), url


def test_demo_inventory_has_each_material_in_several_states(demo: None) -> None:
    for material in current_plan().materials.items:
        items = Resource.objects.filter(kind=material.code)
        assert items.count() >= 3, material.code
    states = set(Resource.objects.values_list("state", flat=True))
    assert states == {"available", "allocated", "maintenance", "retired"}


def test_demo_outside_contacts(demo: None) -> None:
    assert list(ExternalContact.objects.values_list("kind", "name")) == [
        ("legal", "Example Law Firm 律师事务所"),
        ("support", "Example DB Support 数据库原厂支持"),
        ("support", "Example Security 安全应急响应"),
        ("vendor", "Example Cloud 云服务商 (enterprise support)"),
    ]


def test_demo_second_run_changes_nothing(demo: None) -> None:
    before, exported = stored(), export()
    stamps = dict(System.objects.values_list("name", "updated_at"))

    result = run("demo")

    assert result.returncode == 0
    assert result.out == "demo company already loaded; nothing changed\n"
    assert stored() == before
    assert export() == exported
    assert dict(System.objects.values_list("name", "updated_at")) == stamps


def test_demo_needs_a_plan(db: None) -> None:
    result = run("demo")

    assert (result.returncode, result.error) == (
        1,
        "no plan has been applied; run `warroom setup` first",
    )
    assert System.objects.count() == 0
