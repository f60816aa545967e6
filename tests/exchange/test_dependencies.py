from __future__ import annotations

from pathlib import Path

import pytest

from tests.exchange.helpers import catalog, stored
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.people.models import Department
from warroom.plan.models import PlanVersion


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.name


def system(name: str, depends_on: list[System] | None = None) -> System:
    it = Department.objects.get(code="it")
    return save_system(None, name=name, kind="other", owner_department=it, depends_on=depends_on)


def test_cycle_within_the_file_is_named_and_nothing_written(plan: PlanVersion, here: Path) -> None:
    text = """\
name,kind,owner_department,depends_on
Website,website,development,Gateway
Gateway,other,operations,CRM
CRM,crm,customer_service,Website
Database,other,it,
"""
    result = catalog("import", write(here / "systems.csv", text))

    assert result.returncode == 1
    assert result.problems == [
        "systems.csv:2 depends_on: dependency cycle: CRM → Website → Gateway → CRM"
    ]
    assert System.objects.count() == 0


def test_cycle_through_stored_systems_is_named(plan: PlanVersion, here: Path) -> None:
    database = system("Database")
    system("SSO", depends_on=[database])
    before = stored()
    text = (
        "systems:\n  - name: Database\n    depends_on: [ERP]\n  - name: ERP\n    kind: erp\n"
        "    owner_department: it\n    depends_on: [SSO]\n"
    )

    result = catalog("import", write(here / "systems.yaml", text))

    assert result.problems == [
        "systems.yaml:2 depends_on: dependency cycle: Database → ERP → SSO → Database"
    ]
    assert stored() == before


def test_system_cannot_depend_on_itself(plan: PlanVersion, here: Path) -> None:
    text = "name,kind,owner_department,depends_on\nERP,erp,it,ERP\n"

    assert catalog("import", write(here / "systems.csv", text)).problems == [
        "systems.csv:2 depends_on: ERP cannot depend on itself"
    ]


def test_rewiring_that_only_ends_acyclic_is_written(plan: PlanVersion, here: Path) -> None:
    # Stored: Gateway → CRM → Database. The file turns it around; adding a new link before
    # dropping the old one would close a cycle on the way, so stale links go first.
    database = system("Database")
    crm = system("CRM", depends_on=[database])
    system("Gateway", depends_on=[crm])
    text = "name,depends_on\nDatabase,Gateway\nCRM,\nGateway,\n"

    result = catalog("import", write(here / "systems.csv", text), "--kind", "systems")

    assert result.returncode == 0, result.err
    assert result.out == "imported systems.csv\n  systems: 0 created, 3 updated, 0 unchanged\n"
    graph = {s.name: sorted(d.name for d in s.depends_on.all()) for s in System.objects.all()}
    assert graph == {"CRM": [], "Database": ["Gateway"], "Gateway": []}
