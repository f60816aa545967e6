"""A small hand-made history of March 2025 (server time, Asia/Shanghai) whose medians,
percentiles and targets are worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

from tests.conftest import dept
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.evaluation.models import Feedback
from warroom.incidents.models import Incident
from warroom.plan.models import PlanVersion

TZ = ZoneInfo("Asia/Shanghai")
# "Now" for the target shares: after the whole history, so every past due time has passed.
NOW = dt.datetime(2025, 4, 15, 12, 0, tzinfo=TZ)
MILESTONE_FIELDS = {
    "ack": ("acknowledged_at", "due_acknowledge"),
    "assess": ("assessed_at", "due_assess"),
    "mitigate": ("recovering_at", "due_mitigate"),
    "resolve": ("resolved_at", "due_resolve"),
}


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_trend_cache() -> Iterator[None]:
    # Completed months of the trend are cached by month: each test starts without them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    # Deliveries queued on commit run in memory, and /metrics reads an in-memory queue: no
    # test touches the queue file under var/.
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before


@dataclass
class Systems:
    crm: System  # customer service
    customer_db: System  # IT
    erp: System  # IT
    website: System  # development


@pytest.fixture
def systems(plan: PlanVersion) -> Systems:
    def make(name: str, kind: str, department: str) -> System:
        return save_system(None, name=name, kind=kind, owner_department=dept(department))

    return Systems(
        crm=make("CRM", "crm", "customer_service"),
        customer_db=make("Customer DB", "internal", "it"),
        erp=make("ERP", "erp", "it"),
        website=make("Website", "website", "development"),
    )


MakeIncident = Callable[..., Incident]


@pytest.fixture
def make_incident(plan: PlanVersion) -> MakeIncident:
    """An incident as history left it: reported at `reported`, each milestone reached the
    given minutes later (None: not reached) and due the given minutes after the report."""

    def make(
        reported: dt.datetime,
        *,
        title: str = "incident",
        level: str = "",
        category: str = "",
        status: str = "reported",
        is_drill: bool = False,
        restricted: bool = False,
        systems: Sequence[System] = (),
        reporter: User | None = None,
        **minutes: int | None,
    ) -> Incident:
        incident = Incident.objects.create(
            title=title,
            plan_version=plan,
            status=status,
            level=level,
            category=category,
            is_drill=is_drill,
            restricted=restricted,
            reporter=reporter,
        )
        fields: dict[str, Any] = {"reported_at": reported}
        for short, (done, due) in MILESTONE_FIELDS.items():
            if minutes.get(short) is not None:
                fields[done] = reported + dt.timedelta(minutes=minutes[short])  # type: ignore[arg-type]
            if minutes.get(f"due_{short}") is not None:
                fields[due] = reported + dt.timedelta(minutes=minutes[f"due_{short}"])  # type: ignore[arg-type]
        # Test setup only: history is written straight into the rows.
        Incident.objects.filter(pk=incident.pk).update(**fields)
        incident.systems.set(systems)
        incident.refresh_from_db()
        return incident

    return make


@dataclass
class History:
    a: Incident
    b: Incident
    c: Incident
    d: Incident
    e: Incident


@pytest.fixture
def history(make_incident: MakeIncident, systems: Systems) -> History:
    """Five real incidents in March 2025, plus a drill and a cancelled one in March and one
    each in February and April that the March numbers must not include.

        acknowledge  5, 10, 20, 30, 2     → median 10,   p90 26
        assess       15, 30, 40, 4        → median 22.5, p90 37
        mitigate     60, 120, 8           → median 60,   p90 108
        resolve      240, 600, 16         → median 240,  p90 528
    """
    s = systems
    a = make_incident(
        # 00:30 on 1 March in Shanghai is still 28 February in UTC: it belongs to March.
        at(3, 1, 0, 30),
        title="Orders stuck",
        level="high",
        category="system_failure",
        status="resolved",
        systems=[s.crm],
        ack=5, assess=15, mitigate=60, resolve=240,
        due_ack=5, due_assess=15, due_mitigate=60, due_resolve=240,
    )  # fmt: skip
    b = make_incident(
        at(3, 5),
        title="Database down",
        level="high",
        category="system_failure",
        status="closed",
        systems=[s.crm, s.customer_db, s.erp],
        ack=10, assess=30, mitigate=120, resolve=600,
        due_ack=5, due_assess=15, due_mitigate=60, due_resolve=240,
    )  # fmt: skip
    c = make_incident(
        at(3, 12),
        title="Secret breach of the payroll",
        level="medium",
        category="network_attack",
        status="responding",
        restricted=True,
        systems=[s.website],
        ack=20, assess=40,
        due_ack=30, due_assess=60, due_mitigate=120,
    )  # fmt: skip
    d = make_incident(
        at(3, 20),
        title="Leaked spreadsheet",
        level="medium",
        category="data_leak",
        status="acknowledged",
        restricted=True,
        ack=30,
        # Due after NOW: not yet decided.
        due_ack=30, due_assess=60 * 24 * 60,
    )  # fmt: skip
    e = make_incident(
        at(3, 31, 23, 30),
        title="Wrong price shown",
        level="low",
        category="human_error",
        status="resolved",
        systems=[s.customer_db],
        ack=2, assess=4, mitigate=8, resolve=16,
    )  # fmt: skip
    # Left out of March: a drill, a cancelled incident, and the neighbouring months.
    make_incident(
        at(3, 15), level="high", category="system_failure", is_drill=True, status="resolved",
        systems=[s.crm], ack=1000, assess=1000, mitigate=1000, resolve=1000,
    )  # fmt: skip
    make_incident(
        at(3, 16), level="high", category="system_failure", status="cancelled",
        systems=[s.crm], ack=1000, due_ack=5,
    )  # fmt: skip
    make_incident(
        at(2, 28, 23, 30), level="low", category="human_error", status="resolved",
        ack=7, assess=8, mitigate=9, resolve=10, due_ack=5,
    )  # fmt: skip
    make_incident(at(4, 1, 0, 10), level="high", category="system_failure", ack=1)
    return History(a, b, c, d, e)


@pytest.fixture
def answered(history: History, outsider: User, ops_rep: User) -> None:
    """Surveys: A scored 4, B scored 2, C sent but not answered; a drill's answer is ignored."""
    Feedback.objects.create(incident=history.a, from_user=outsider, score=4, submitted_at=NOW)
    Feedback.objects.create(incident=history.b, from_user=outsider, score=2, submitted_at=NOW)
    Feedback.objects.create(incident=history.c, from_user=outsider)
    Feedback.objects.create(incident=history.a, from_user=ops_rep, score=None)
    drill = Incident.objects.get(is_drill=True)
    Feedback.objects.create(incident=drill, from_user=outsider, score=1, submitted_at=NOW)
