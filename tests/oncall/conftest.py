"""Fixtures of the on-call tests: people who take turns (ann, bob, cy), schedules built through
the services, the app's zh-Hans catalogue compiled, and Huey in immediate mode so that no
test writes to the queue file under var/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, User
from django.test import Client
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed
from huey.contrib.djhuey import HUEY

from warroom.lib.compile_messages import compile_all
from warroom.oncall import services
from warroom.oncall.models import Layer, Schedule

UTC = dt.UTC
LOCALE = Path(services.__file__).parent / "locale"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _oncall_catalogue() -> None:
    """The app's own zh-Hans messages, compiled as `make messages` does for the main ones."""
    if compile_all(LOCALE):
        # Forget catalogues loaded before this one existed (Django's own reload hook).
        translation_file_changed(None, LOCALE / "django.mo")


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A page request in Chinese leaves zh-hans active in this thread (LocaleMiddleware does
    not deactivate); later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before


@pytest.fixture
def ann(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("ann", "operations", first_name="Ann", language="en")


@pytest.fixture
def bob(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("bob", "operations", first_name="Bob", language="zh-hans")


@pytest.fixture
def cy(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("cy", "development", first_name="Cy", language="en")


@pytest.fixture
def make_schedule(plan: Any) -> Callable[..., Schedule]:
    def make(name: str = "Primary", time_zone: str = "Asia/Shanghai", **extra: Any) -> Schedule:
        return services.create_schedule(name=name, time_zone=time_zone, **extra)

    return make


@pytest.fixture
def add_layer() -> Callable[..., Layer]:
    def add(
        schedule: Schedule,
        members: Sequence[User],
        *,
        rotation: str = "daily",
        handoff: dt.time = dt.time(9, 0),
        start: dt.date = dt.date(2026, 3, 27),
        name: str = "",
        **extra: Any,
    ) -> Layer:
        return services.create_layer(
            schedule,
            name=name or f"{rotation} {handoff:%H:%M}",
            rotation=rotation,
            handoff_time=handoff,
            starts_at=start,
            members=list(members),
            **extra,
        )

    return add


@pytest.fixture
def login() -> Callable[[AbstractUser], Client]:
    def make(user: AbstractUser) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
