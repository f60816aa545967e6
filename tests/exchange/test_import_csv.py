from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.exchange.helpers import catalog, stored
from warroom.catalog.models import System
from warroom.catalog.services import save_system
from warroom.people.models import Department, TeamMembership
from warroom.plan.models import PlanVersion
from warroom.resources.models import Resource

User = get_user_model()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory so problems name files as the tests wrote them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.name


SYSTEMS_CSV = """\
name,kind,owner_department,criticality,description,backup_location,backup_frequency,last_restore_verified,runbook_links,depends_on
ERP,erp,it,critical,Finance and stock,NAS-02,nightly,2026-10-01,https://wiki.example.com/erp;https://wiki.example.com/erp/restore,Database;SSO
SSO,other,security,high,,,,,,Database
Database,other,it,critical,"Primary and
two replicas",object storage,continuous,,,
"""


def test_import_systems_csv_creates_systems_and_dependencies(plan: PlanVersion, here: Path) -> None:
    name = write(here / "systems.csv", SYSTEMS_CSV)

    result = catalog("import", name)

    assert result.returncode == 0, result.err
    assert result.out == ("imported systems.csv\n  systems: 3 created, 0 updated, 0 unchanged\n")
    erp = System.objects.get(name="ERP")
    assert erp.kind == "erp"
    assert erp.owner_department.code == "it"
    assert erp.criticality == "critical"
    assert erp.backup_location == "NAS-02"
    assert erp.last_restore_verified == dt.date(2026, 10, 1)
    assert erp.runbook_links == [
        "https://wiki.example.com/erp",
        "https://wiki.example.com/erp/restore",
    ]
    assert sorted(s.name for s in erp.depends_on.all()) == ["Database", "SSO"]
    assert [s.name for s in System.objects.get(name="SSO").depends_on.all()] == ["Database"]
    database = System.objects.get(name="Database")
    assert database.description == "Primary and\ntwo replicas"
    assert database.criticality == "critical"
    assert list(database.depends_on.all()) == []


def test_import_csv_twice_changes_nothing_the_second_time(plan: PlanVersion, here: Path) -> None:
    name = write(here / "systems.csv", SYSTEMS_CSV)
    catalog("import", name)
    before = stored()
    stamps = dict(System.objects.values_list("name", "updated_at"))

    result = catalog("import", name)

    assert result.out == "imported systems.csv\n  systems: 0 created, 0 updated, 3 unchanged\n"
    assert stored() == before
    assert dict(System.objects.values_list("name", "updated_at")) == stamps


def test_import_csv_updates_by_name_and_replaces_dependencies(
    plan: PlanVersion, here: Path
) -> None:
    catalog("import", write(here / "systems.csv", SYSTEMS_CSV))
    update = "name,criticality,depends_on\nERP,high,Database\n"

    result = catalog("import", write(here / "more.csv", update), "--kind", "systems")

    assert result.out == "imported more.csv\n  systems: 0 created, 1 updated, 0 unchanged\n"
    erp = System.objects.get(name="ERP")
    assert erp.criticality == "high"
    assert erp.backup_location == "NAS-02"  # a column left out keeps its value
    assert [s.name for s in erp.depends_on.all()] == ["Database"]


def test_import_csv_reports_every_bad_row_and_writes_nothing(plan: PlanVersion, here: Path) -> None:
    save_system(
        None, name="Billing", kind="erp", owner_department=Department.objects.get(code="it")
    )
    before = stored()
    text = """\
name,kind,owner_department,criticality,last_restore_verified,runbook_links,depends_on
ERP,erp,it,critical,2026-01-31,https://wiki.example.com/erp,Database;Billing
Database,database,it,high,,,
CRM,crm,sales,,31/01/2026,,

Website,website,development,urgent,,wiki/website,Gateway
ERP,erp,it,,,,
,other,it,,,,
Billing,erp,it,,2026-02-30,,
"""
    result = catalog("import", write(here / "systems.csv", text))

    assert result.returncode == 1
    assert result.problems == [
        "systems.csv:3 kind: unknown system kind 'database' "
        "(allowed: erp, crm, website, mobile_app, internal, other)",
        "systems.csv:4 owner_department: unknown department 'sales' "
        "(allowed: it, security, development, operations, customer_service, legal)",
        "systems.csv:4 last_restore_verified: not a date: '31/01/2026' (use YYYY-MM-DD)",
        "systems.csv:6 criticality: unknown criticality 'urgent' "
        "(allowed: critical, high, medium, low)",
        "systems.csv:6 runbook_links: not an http(s) URL: 'wiki/website'",
        "systems.csv:6 depends_on: no system named 'Gateway' in the file or the database",
        "systems.csv:7 name: duplicate name 'ERP' (first on line 2)",
        "systems.csv:8 name: required",
        "systems.csv:9 last_restore_verified: not a date: '2026-02-30' (use YYYY-MM-DD)",
    ]
    assert result.error == "systems.csv: 9 problem(s); nothing imported"
    assert result.out == ""
    assert stored() == before


def test_import_csv_checks_the_header_once(plan: PlanVersion, here: Path) -> None:
    text = "name,type,owner_department,colour\nERP,erp,it,red\nCRM,crm,it,blue\n"

    result = catalog("import", write(here / "systems.csv", text))

    assert result.returncode == 1
    assert result.problems == [
        "systems.csv:1 type: unknown column (known: name, kind, owner_department, criticality, "
        "description, backup_location, backup_frequency, last_restore_verified, runbook_links, "
        "depends_on)",
        "systems.csv:1 colour: unknown column (known: name, kind, owner_department, criticality, "
        "description, backup_location, backup_frequency, last_restore_verified, runbook_links, "
        "depends_on)",
        "systems.csv:1 kind: required column is missing",
    ]
    assert System.objects.count() == 0


def test_import_csv_reports_broken_rows(plan: PlanVersion, here: Path) -> None:
    text = "name,kind,owner_department\nERP,erp,it,extra\nCRM,crm\n"

    result = catalog("import", write(here / "systems.csv", text))

    assert result.problems == [
        "systems.csv:2: 4 cells but the header has 3",
        "systems.csv:3 owner_department: required",
    ]
    assert System.objects.count() == 0


def test_import_csv_needs_a_kind(plan: PlanVersion, here: Path) -> None:
    result = catalog("import", write(here / "inventory.csv", "name\nx\n"))

    assert result.returncode == 1
    assert result.problems == [
        "inventory.csv: give --kind (systems, risks, people, resources, contacts) or name the "
        "file after its kind, e.g. systems.csv"
    ]


def test_import_reports_unreadable_files_without_a_traceback(plan: PlanVersion, here: Path) -> None:
    (here / "systems.csv").write_bytes("name,kind,owner_department\n财务,erp,it\n".encode("gbk"))
    (here / "notes.txt").write_text("hello", encoding="utf-8")

    assert catalog("import", "systems.csv").problems == [
        "systems.csv:2: not UTF-8 text (byte 0xb2); save the file as UTF-8"
    ]
    assert catalog("import", "missing.csv", "--kind", "systems").problems == [
        "missing.csv: cannot read: No such file or directory"
    ]
    assert catalog("import", "notes.txt").problems == [
        "notes.txt: unknown file type (use .csv, .yaml or .yml)"
    ]
    assert catalog("import", str(here), "--kind", "systems").returncode == 1


def test_import_csv_accepts_a_byte_order_mark(plan: PlanVersion, here: Path) -> None:
    (here / "systems.csv").write_text("name,kind,owner_department\n财务,erp,it\n", "utf-8-sig")

    result = catalog("import", "systems.csv")

    assert result.returncode == 0, result.err
    assert System.objects.get().name == "财务"


PEOPLE_CSV = """\
username,first_name,last_name,email,department,phone,language,contact_methods,team_role,team_backup
zhang.wei,伟,张,zhang.wei@example.com,it,+86 138 0000 0001,zh-hans,Email=mailto://warroom:pw@example.com?to=zhang.wei@example.com;Hook=json://127.0.0.1:8025/zw,commander,li.na
li.na,娜,李,li.na@example.com,it,,en,,,
"""


def test_import_people_csv_with_contact_methods_and_team_role(
    plan: PlanVersion, here: Path
) -> None:
    result = catalog("import", write(here / "people.csv", PEOPLE_CSV))

    assert result.out == "imported people.csv\n  people: 2 created, 0 updated, 0 unchanged\n"
    zhang = User.objects.get(username="zhang.wei")
    assert (zhang.first_name, zhang.last_name, zhang.email) == ("伟", "张", "zhang.wei@example.com")
    assert zhang.profile.department.code == "it"
    assert zhang.profile.phone == "+86 138 0000 0001"
    assert [(m.label, m.url) for m in zhang.contact_methods.order_by("position")] == [
        ("Email", "mailto://warroom:pw@example.com?to=zhang.wei@example.com"),
        ("Hook", "json://127.0.0.1:8025/zw"),
    ]
    membership = TeamMembership.objects.get()
    assert (membership.role.code, membership.person, membership.backup) == (
        "commander",
        zhang,
        User.objects.get(username="li.na"),
    )
    assert User.objects.get(username="li.na").profile.language == "en"

    again = catalog("import", "people.csv")
    assert again.out == "imported people.csv\n  people: 0 created, 0 updated, 2 unchanged\n"


def test_import_people_csv_reports_bad_contact_methods_and_roles(
    plan: PlanVersion, here: Path
) -> None:
    text = """\
username,email,language,contact_methods,team_role,team_backup
zhang wei,not-an-email,fr,Email=ftp://example.com,chief,nobody
li.na,,,Email;DingTalk=dingtalk://abc,,
wang.lei,,,A=json://127.0.0.1/a;A=json://127.0.0.1/b,,li.na
"""
    result = catalog("import", write(here / "people.csv", text))

    assert result.problems == [
        "people.csv:2 username: letters, digits and @ . + - _ only",
        "people.csv:2 email: not an email address: 'not-an-email'",
        "people.csv:2 language: unknown language 'fr' (allowed: en, zh-hans)",
        "people.csv:2 contact_methods[0].url: Apprise cannot use this URL (scheme 'ftp')",
        "people.csv:2 team_role: unknown team role 'chief' (allowed: commander, deputy, "
        "development_rep, operations_rep, customer_service_rep, legal_rep)",
        "people.csv:2 team_backup: no person with username 'nobody' in the file or the database",
        "people.csv:3 contact_methods[0]: write label=apprise-url, not 'Email'",
        "people.csv:4 contact_methods[1].label: duplicate label 'A'",
        "people.csv:4 team_backup: a backup needs a team_role in the same record",
    ]
    assert User.objects.count() == 0


def test_import_resources_csv_names_custodians_from_the_database(
    plan: PlanVersion, here: Path, ops_rep: object
) -> None:
    text = """\
name,kind,location,department,custodian,quantity,state,last_checked
Spare server SRV-01,spare_servers,rack B12,operations,olga,1,available,2026-11-03
Tape library,backup_tapes,,it,nobody,-1,lost,yesterday
"""
    result = catalog("import", write(here / "resources.csv", text))

    assert result.problems == [
        "resources.csv:3 kind: unknown material 'backup_tapes' (allowed: spare_servers, "
        "backup_equipment, security_monitoring, emergency_comms)",
        "resources.csv:3 custodian: no person with username 'nobody' in the file or the database",
        "resources.csv:3 quantity: must be a whole number, 0 or more, not '-1'",
        "resources.csv:3 state: unknown state 'lost' (allowed: available, allocated, "
        "maintenance, retired)",
        "resources.csv:3 last_checked: not a date: 'yesterday' (use YYYY-MM-DD)",
    ]
    assert Resource.objects.count() == 0

    fixed = text.splitlines()[:2]
    result = catalog("import", write(here / "resources.csv", "\n".join(fixed) + "\n"))
    assert result.returncode == 0, result.err
    server = Resource.objects.get()
    assert (server.custodian, server.quantity, server.state) == (ops_rep, 1, "available")
