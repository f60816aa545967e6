"""Fixtures of the page tests: a signed-in client per person of the permission story, and a
small catalog owned by two departments (IT and operations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client

from warroom.catalog import services as catalog
from warroom.catalog.models import Risk, System
from warroom.people.models import Department
from warroom.resources import services as resources
from warroom.resources.models import ExternalContact, Resource


@pytest.fixture
def login() -> Callable[[AbstractUser], Client]:
    def make(user: AbstractUser) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def department(code: str) -> Department:
    return Department.objects.get(code=code)


@pytest.fixture
def make_system(plan: Any) -> Callable[..., System]:
    def make(name: str, owner: str = "it", kind: str = "erp", **fields: Any) -> System:
        return catalog.save_system(
            None, name=name, kind=kind, owner_department=department(owner), **fields
        )

    return make


@pytest.fixture
def it_system(make_system: Callable[..., System]) -> System:
    """The ERP, owned by IT: only the commander (and the deputy, admins) may change it."""
    return make_system(
        "ERP",
        "it",
        criticality="critical",
        backup_location="s3://backups/erp",
        backup_frequency="hourly",
        last_restore_verified=dt.date(2026, 3, 1),
        runbook_links=["https://wiki.example.com/erp"],
    )


@pytest.fixture
def ops_system(make_system: Callable[..., System]) -> System:
    """The monitoring box, owned by operations: its representative may change it."""
    return make_system("Monitoring", "operations", kind="internal")


@pytest.fixture
def make_risk(plan: Any) -> Callable[..., Risk]:
    def make(system: System, title: str, **fields: Any) -> Risk:
        data: dict[str, Any] = {
            "category": "system_failure",
            "likelihood": 3,
            "impact_level": "medium",
            "next_review": dt.date(2099, 1, 1),
        }
        data.update(fields)
        return catalog.save_risk(None, system=system, title=title, **data)

    return make


@pytest.fixture
def make_resource(plan: Any) -> Callable[..., Resource]:
    def make(name: str, dept: str = "it", kind: str = "spare_servers", **fields: Any) -> Resource:
        return resources.save_resource(
            None, name=name, kind=kind, department=department(dept), **fields
        )

    return make


@pytest.fixture
def contact(plan: Any) -> ExternalContact:
    return resources.save_contact(
        None, name="Acme DB support", kind="vendor", phone="+86 10 1234 5678"
    )
