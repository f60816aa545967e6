"""Fixtures of the comms tests: a small catalog with status components in front of it, the
people of the permission story plus customer service, incidents at each level, and the real
channels of the notify tests (an HTTP sink and an SMTP server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.conftest import dept
from tests.notify.conftest import (  # noqa: F401  (fixtures used by the tests of this folder)
    down_sink,
    http_sink,
    huey_immediate,
    smtp_sink,
)
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.comms.models import PublicUpdate, StatusComponent
from warroom.comms.services import post_public_update, save_component
from warroom.incidents.models import Incident
from warroom.incidents.services import assess_incident, report_incident


@pytest.fixture(autouse=True)
def _local_webhooks(settings: Any) -> None:
    # The sinks listen on 127.0.0.1, which the public subscribe form refuses by default.
    settings.WARROOM_STATUS_PRIVATE_WEBHOOKS = True
    settings.WARROOM_STATUS_MAIL_URL = ""


@pytest.fixture
def cs_rep(make_person: Callable[..., User]) -> User:
    return make_person("cai", "customer_service", role="customer_service_rep")


@pytest.fixture
def deputy(make_person: Callable[..., User]) -> User:
    return make_person("dora", "security", role="deputy")


@pytest.fixture
def systems(plan: Any) -> dict[str, System]:
    return {
        name: save_system(None, name=name, kind=kind, owner_department=dept(owner))
        for name, kind, owner in (
            ("ERP", "erp", "it"),
            ("CRM", "crm", "customer_service"),
            ("Website", "website", "development"),
        )
    }


@pytest.fixture
def components(systems: dict[str, System], admin: User) -> dict[str, StatusComponent]:
    """Three components, one per system, in this order on the page."""
    names = (("Ordering", "订单", "ERP"), ("Customer portal", "客户门户", "CRM"))
    result = {
        en: save_component(
            None, actor=admin, name_en=en, name_zh=zh, systems=[systems[s]], position=i
        )
        for i, (en, zh, s) in enumerate((*names, ("Website", "官网", "Website")))
    }
    return result


@pytest.fixture
def make_incident(commander: User, systems: dict[str, System]) -> Callable[..., Incident]:
    def make(
        title: str,
        *on: str,
        level: str = "high",
        category: str = "system_failure",
        description: str = "",
        restricted: bool = False,
        drill: bool = False,
        assess: bool = True,
    ) -> Incident:
        chosen = [systems[name] for name in on]
        incident = report_incident(
            reporter=commander,
            title=title,
            description=description,
            systems=chosen,
            restricted=restricted,
            drill=drill,
        )
        if assess:
            assess_incident(
                incident, actor=commander, level=level, category=category, systems=chosen
            )
        incident.refresh_from_db()
        return incident

    return make


@pytest.fixture
def post(commander: User) -> Callable[..., PublicUpdate]:
    """Post a public update as the commander (who may)."""

    def make(
        incident: Incident,
        text_en: str = "",
        text_zh: str = "",
        status: str = "investigating",
        eta: dt.datetime | None = None,
        actor: User | None = None,
    ) -> PublicUpdate:
        return post_public_update(
            incident,
            actor=actor or commander,
            status=status,
            text_en=text_en,
            text_zh=text_zh,
            eta=eta,
        )

    return make


def set_posted_at(update: PublicUpdate, at: dt.datetime) -> None:
    PublicUpdate.objects.filter(pk=update.pk).update(posted_at=at)


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def login() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
