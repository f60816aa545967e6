from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.exchange.helpers import catalog, export, run, stored
from warroom.catalog.models import System
from warroom.exchange.parse import KINDS
from warroom.plan.models import PlanVersion
from warroom.resources.models import ExternalContact, Resource

# The order CSV files must be imported in: each names records of the ones before.
CSV_ORDER = ("people", "systems", "risks", "resources", "contacts")


def forget_everything() -> None:
    Resource.objects.all().delete()
    ExternalContact.objects.all().delete()
    System.objects.all().delete()
    get_user_model().objects.all().delete()
    assert set(stored().values()) == {0}


@pytest.fixture
def company(plan: PlanVersion) -> dict[str, int]:
    assert run("demo").returncode == 0
    return stored()


def test_yaml_export_imports_back_to_the_same_catalog(
    company: dict[str, int], tmp_path: Path
) -> None:
    exported = export()
    (tmp_path / "catalog.yaml").write_text(exported, encoding="utf-8")
    forget_everything()

    result = catalog("import", str(tmp_path / "catalog.yaml"))

    assert result.returncode == 0, result.err
    assert stored() == company
    assert export() == exported


def test_csv_exports_import_back_to_the_same_catalog(
    company: dict[str, int], tmp_path: Path
) -> None:
    exported = {kind: export("--kind", kind, "--format", "csv") for kind in KINDS}
    for kind in KINDS:
        assert (
            catalog(
                "export", "--kind", kind, "--format", "csv", "-o", str(tmp_path / f"{kind}.csv")
            ).out
            == f"wrote {tmp_path / kind}.csv\n"
        )
    forget_everything()

    for kind in CSV_ORDER:
        result = catalog("import", str(tmp_path / f"{kind}.csv"))
        assert result.returncode == 0, result.err

    assert stored() == company
    assert {kind: export("--kind", kind, "--format", "csv") for kind in KINDS} == exported


def test_importing_an_export_over_itself_changes_nothing(
    company: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("catalog.yaml").write_text(export(), encoding="utf-8")
    stamps = dict(System.objects.values_list("name", "updated_at"))

    result = catalog("import", "catalog.yaml")

    assert result.out == (
        "imported catalog.yaml\n"
        "  systems: 0 created, 0 updated, 8 unchanged\n"
        "  risks: 0 created, 0 updated, 10 unchanged\n"
        "  people: 0 created, 0 updated, 14 unchanged\n"
        "  resources: 0 created, 0 updated, 14 unchanged\n"
        "  contacts: 0 created, 0 updated, 4 unchanged\n"
    )
    assert dict(System.objects.values_list("name", "updated_at")) == stamps


def test_export_csv_needs_a_kind(plan: PlanVersion) -> None:
    result = catalog("export", "--format", "csv")

    assert (result.returncode, result.error) == (1, "--kind is required with --format csv")


def test_export_csv_file_starts_with_a_byte_order_mark(
    company: dict[str, int], tmp_path: Path
) -> None:
    catalog("export", "--kind", "contacts", "--format", "csv", "-o", str(tmp_path / "c.csv"))

    data = (tmp_path / "c.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,kind,covers,contract_ref,phone,email,how_to_reach\n")
