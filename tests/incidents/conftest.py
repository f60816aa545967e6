from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import dept
from warroom.catalog.models import System
from warroom.catalog.services import save_system


@pytest.fixture
def crm(plan: Any) -> System:
    db = save_system(None, name="Customer DB", kind="internal", owner_department=dept("it"))
    crm = save_system(
        None, name="CRM", kind="crm", owner_department=dept("customer_service"), depends_on=[db]
    )
    save_system(
        None, name="Website", kind="website", owner_department=dept("development"), depends_on=[crm]
    )
    return crm


@pytest.fixture
def deputy(make_person: Callable[..., User]) -> User:
    return make_person("dora", "security", role="deputy")


@pytest.fixture
def legal(make_person: Callable[..., User]) -> User:
    return make_person("lena", "legal", role="legal_rep")


@pytest.fixture
def cs_rep(make_person: Callable[..., User]) -> User:
    return make_person("cai", "customer_service", role="customer_service_rep")
