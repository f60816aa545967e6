"""Shared fixtures: the default plan applied, and the three people of every permission story —
an owner (the commander), a department representative (operations) and an outsider."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import translation

from warroom.api.auth import create_token
from warroom.people import services as people
from warroom.people.models import Department, TeamRole
from warroom.plan.models import PlanVersion
from warroom.plan.services import apply_plan

User = get_user_model()


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    # Threads (live server, workers under test) must not keep connections past their work:
    # an idle persistent connection stops the test database from being dropped at the end.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Any:
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            # A subprocess or thread that still holds a session would make DROP DATABASE fail.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    # Each test's database starts afresh; a process remembers for a second whether a plan is
    # applied and the routing rules, silences and windows it read.
    from warroom.alerts import inbox, queries

    inbox.forget_plan()
    queries.forget_routing()


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    # A request in Chinese leaves that language active in the thread: start each test afresh.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def default_plan_text() -> str:
    return settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8")


@pytest.fixture
def plan(db: Any, default_plan_text: str) -> PlanVersion:
    return apply_plan(default_plan_text, comment="test").version


def dept(code: str) -> Department:
    return Department.objects.get(code=code)


def approve_report(incident: Any, actor: AbstractUser) -> None:
    """Take a resolved incident's report through review to approved (closing needs it),
    through the services; `actor` is the commander or an administrator."""
    from warroom.incidents import services

    services.submit_report(incident, actor=actor)
    services.approve_report(incident, actor=actor)


@pytest.fixture
def make_person(plan: PlanVersion) -> Callable[..., AbstractUser]:
    def make(
        username: str, department: str | None = None, role: str | None = None, **extra: Any
    ) -> AbstractUser:
        user = people.create_person(
            username=username,
            first_name=extra.pop("first_name", username.title()),
            department=dept(department) if department else None,
            **extra,
        )
        user.set_password("pw-" + username)
        user.save()
        if role:
            people.add_team_member(TeamRole.objects.get(code=role), user)
        return user

    return make


@pytest.fixture
def admin(db: Any) -> AbstractUser:
    return User.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def commander(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("chen", "it", role="commander")


@pytest.fixture
def ops_rep(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("olga", "operations", role="operations_rep")


@pytest.fixture
def outsider(make_person: Callable[..., AbstractUser]) -> AbstractUser:
    return make_person("oscar", "development")


class ApiClient:
    """A test client that talks to /api/v1 with a bearer token."""

    def __init__(self, user: AbstractUser, read_only: bool = False) -> None:
        _, self.token = create_token(user, name="test", read_only=read_only)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def _call(self, method: str, path: str, data: Any = None) -> Any:
        fn = getattr(self.client, method)
        if data is None:
            return fn(f"/api/v1{path}")
        return fn(f"/api/v1{path}", data=data, content_type="application/json")

    def get(self, path: str) -> Any:
        return self._call("get", path)

    def post(self, path: str, data: Any) -> Any:
        return self._call("post", path, data)

    def patch(self, path: str, data: Any) -> Any:
        return self._call("patch", path, data)

    def put(self, path: str, data: Any) -> Any:
        return self._call("put", path, data)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


@pytest.fixture
def api_as() -> Callable[..., ApiClient]:
    return ApiClient
