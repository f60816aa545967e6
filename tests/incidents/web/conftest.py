"""Fixtures of the incident page tests: a signed-in client per person, and an incident on the
CRM reported by an employee, with helpers that move it along the lifecycle through the
services (the pages under test are not used to set up)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from warroom.catalog.models import System
from warroom.incidents import services
from warroom.incidents.models import Incident

Login = Callable[[User], Client]


@pytest.fixture
def login() -> Login:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def reporter(make_person: Callable[..., User]) -> User:
    return make_person("rita", "development")


@pytest.fixture
def outage(crm: System, reporter: User, commander: User, cs_rep: User) -> Incident:
    """A CRM outage as an employee reports it: open to everyone signed in."""
    return services.report_incident(reporter=reporter, title="CRM is down", systems=[crm])


def assess(incident: Incident, actor: User, **changes: Any) -> Incident:
    data: dict[str, Any] = {"level": "high", "category": "system_failure"}
    data.update(changes)
    return services.assess_incident(incident, actor=actor, **data)


def responding(incident: Incident, actor: User) -> Incident:
    return services.start_response(assess(incident, actor), actor=actor)


def recovering(incident: Incident, actor: User) -> Incident:
    return services.start_recovery(responding(incident, actor), actor=actor)


def url(incident: Incident, action: str = "") -> str:
    return f"/incidents/{incident.pk}/{action + '/' if action else ''}"


HTMX = {"HX-Request": "true"}
