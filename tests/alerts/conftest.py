"""Fixtures of the alerts tests: systems, integrations with their raw keys, the real payloads
under tests/fixtures/, and a commander who can be paged."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from huey.contrib.djhuey import HUEY

from tests.conftest import dept
from warroom.alerts import configure, inbox
from warroom.alerts.models import Integration
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.core.loops import Loop, LoopThread

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def payload(name: str) -> Any:
    """A real payload from tests/fixtures/, e.g. payload("alertmanager/firing_two_alerts")."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    """Queue tasks run in the test process and never touch the queue file under var/."""
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before


@pytest.fixture
def erp(plan: Any) -> System:
    return save_system(None, name="ERP", kind="erp", owner_department=dept("it"))


@pytest.fixture
def crm(plan: Any) -> System:
    return save_system(None, name="CRM", kind="crm", owner_department=dept("customer_service"))


@pytest.fixture
def paged_commander(make_person: Callable[..., User]) -> User:
    """The commander, with a contact method, so a page leaves a pending delivery row."""
    return make_person(
        "chen",
        "it",
        role="commander",
        language="en",
        contact_methods=[{"label": "hook", "url": "json://127.0.0.1:9/hook"}],
    )


Make = Callable[..., tuple[Integration, str]]


@pytest.fixture
def make_integration(plan: Any) -> Make:
    def make(kind: str = "alertmanager", name: str = "", **fields: Any) -> tuple[Integration, str]:
        return configure.create_integration(
            kind=kind, name=name or f"{kind} test", created_by=None, **fields
        )

    return make


def post(client: Client, url: str, data: Any, *, process: bool = True, **extra: Any) -> Any:
    """POST a webhook body; then, unless `process` is false, run the inbox step the worker
    would run next (the request itself only stores what it accepted)."""
    body = data if isinstance(data, bytes | str) else json.dumps(data)
    response = client.post(url, data=body, content_type="application/json", **extra)
    if process:
        inbox.process_pending()
    return response


def am_url(key: str, kind: str = "alertmanager") -> str:
    return f"/api/v1/integrations/{kind}/{key}"


@pytest.fixture
def inbox_loop() -> Iterator[None]:
    """The worker's inbox loop, in a thread of the test process (for live-server tests)."""
    stopping = threading.Event()
    thread = LoopThread(Loop("inbox", inbox.process_pending, interval=0.005), stopping)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join(timeout=10)
