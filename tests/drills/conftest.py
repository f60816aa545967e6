"""Fixtures of the drill tests: Huey in immediate mode (no test writes to the queue file under
var/), a BASE_URL where nothing listens (so alert injects fall back to in-process ingestion
unless a test serves the webhook), the real HTTP sink, and drills made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.incidents.conftest import crm, deputy  # noqa: F401 - shared fixtures
from tests.notify.conftest import HttpSink, free_port, http_sink  # noqa: F401 - real channel
from warroom.drills import services
from warroom.drills.models import Drill


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    """Tasks run in the test process; scheduled ones wait in memory, never in var/."""
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before


@pytest.fixture(autouse=True)
def _no_web_server(settings: Any) -> None:
    settings.BASE_URL = f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def paged_commander(make_person: Callable[..., User], http_sink: HttpSink) -> User:  # noqa: F811
    """The commander, paged through the HTTP sink (Apprise json://) at /chen."""
    return make_person(
        "chen",
        "it",
        role="commander",
        language="en",
        contact_methods=[{"label": "hook", "url": http_sink.url("/chen")}],
    )


MakeDrill = Callable[..., Drill]


@pytest.fixture
def make_drill(plan: Any) -> MakeDrill:
    def make(actor: User, scenario: str = "db_crash_drill", **fields: Any) -> Drill:
        fields.setdefault("scheduled_for", timezone.localdate() + dt.timedelta(days=7))
        return services.create_drill(actor=actor, scenario=scenario, **fields)

    return make
