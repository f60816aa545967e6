from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.exchange.helpers import catalog, stored
from warroom.exchange import services
from warroom.lib.errors import DomainError
from warroom.plan.models import PlanVersion
from warroom.resources.services import save_contact


def test_service_refusal_mid_way_rolls_everything_back(
    plan: PlanVersion, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Validation mirrors the services, so a refusal at write time needs a service that changed
    # its mind (e.g. a rule added in a newer version); simulate one for a single contact.
    def refusing(contact: Any, **fields: Any) -> Any:
        if fields.get("name") == "Law firm":
            raise DomainError("kind", "legal counsel must be approved first")
        return save_contact(contact, **fields)

    monkeypatch.setattr(services, "save_contact", refusing)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(
        """\
systems:
  - name: ERP
    kind: erp
    owner_department: it
contacts:
  - name: Cloud
    kind: vendor
    phone: '400 000 0001'
  - name: Law firm
    kind: legal
    phone: '400 000 0002'
""",
        encoding="utf-8",
    )
    before = stored()

    result = catalog("import", "c.yaml")

    assert result.returncode == 1
    assert result.problems == ["c.yaml:9 kind: legal counsel must be approved first"]
    assert result.error == "c.yaml: 1 problem(s); nothing imported"
    assert stored() == before


def test_progress_bar_on_request(plan: PlanVersion, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("name,kind,phone\nCloud,vendor,1\nLaw,legal,2\n", encoding="utf-8")

    result = catalog("import", str(path), "--progress")

    assert result.returncode == 0
    bar = "#" * 30
    lines = [line.split("\r")[-1] for line in result.err.split("\n") if line]
    assert lines == [f"validated [{bar}] 2/2", f"  written [{bar}] 2/2"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(plan: PlanVersion, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("name,kind,phone\nCloud,vendor,1\n", encoding="utf-8")

    assert catalog("import", str(path)).err == ""
