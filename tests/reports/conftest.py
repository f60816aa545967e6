"""Fixtures of the report tests: a CRM outage taken through the whole process to its resolution
(so its report is drafted), with the commander, the deputy and an operations representative on
the team, and an outsider who is not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.conftest import dept
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.incidents import services
from warroom.incidents.models import Incident

Login = Callable[[User], Client]


@pytest.fixture
def crm(plan: Any) -> System:
    return save_system(None, name="CRM", kind="crm", owner_department=dept("customer_service"))


@pytest.fixture
def deputy(make_person: Callable[..., User]) -> User:
    return make_person("dora", "security", role="deputy")


@pytest.fixture
def reporter(make_person: Callable[..., User]) -> User:
    return make_person("rita", "development")


@pytest.fixture
def login() -> Login:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def resolve(
    incident: Incident, *, commander: User, signer: User, late_by: dt.timedelta | None = None
) -> Incident:
    """Assess (high, system failure), respond, recover, sign the checklist and resolve.
    `late_by` moves the resolve deadline into the past first, so that target is missed."""
    incident = services.assess_incident(
        incident, actor=commander, level="high", category="system_failure"
    )
    incident = services.start_response(incident, actor=commander)
    incident = services.start_recovery(incident, actor=commander)
    for item in incident.recovery_items.all():
        services.sign_recovery_item(item, actor=signer)
    if late_by is not None:
        Incident.objects.filter(pk=incident.pk).update(due_resolve=timezone.now() - late_by)
        incident.refresh_from_db()
    return services.resolve_incident(incident, actor=commander)


@pytest.fixture
def resolved(crm: System, reporter: User, commander: User, deputy: User, ops_rep: User) -> Incident:
    """A CRM outage, resolved with every target met; its report is a draft."""
    incident = services.report_incident(
        reporter=reporter, title="CRM is down", systems=[crm], description="Workers crash."
    )
    return resolve(incident, commander=commander, signer=ops_rep)


@pytest.fixture
def leak(crm: System, commander: User, deputy: User, ops_rep: User) -> Incident:
    """A restricted data leak, resolved: the outsider may not see it or its report."""
    incident = services.report_incident(
        reporter=commander, title="Dump on a forum", systems=[crm], category="data_leak"
    )
    incident = services.assess_incident(
        incident, actor=commander, level="high", category="data_leak"
    )
    assert incident.restricted
    services.set_team(
        incident, actor=commander, members=[(commander, "commander"), (ops_rep, "operations_rep")]
    )
    incident = services.start_response(incident, actor=commander)
    incident = services.start_recovery(incident, actor=commander)
    for item in incident.recovery_items.all():
        services.sign_recovery_item(item, actor=ops_rep)
    return services.resolve_incident(incident, actor=commander)
