from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.exchange.helpers import catalog, stored
from warroom.catalog.models import Risk, System
from warroom.people.models import TeamMembership
from warroom.plan.models import PlanVersion
from warroom.resources.models import ExternalContact, Resource

User = get_user_model()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.name


CATALOG_YAML = """\
# Records refer to each other across sections and down the file.
resources:
  - name: Satellite phone
    kind: emergency_comms
    department: it
    custodian: zhang.wei
    quantity: 2
    last_checked: 2026-09-01
risks:
  - system: ERP
    title: Month-end corruption
    category: system_failure
    likelihood: 2
    impact_level: high
    owner: zhang.wei
    next_review: 2027-03-31
systems:
  - name: ERP
    kind: erp
    owner_department: it
    runbook_links: [https://wiki.example.com/erp]
    depends_on: [Database]
  - name: Database
    kind: other
    owner_department: it
    criticality: critical
people:
  - username: zhang.wei
    first_name: 伟
    last_name: 张
    department: it
    phone: 13800000001
    contact_methods:
      - label: DingTalk
        url: dingtalk://9f2c4e7a1b3d5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd/
    team_role: commander
    team_backup: li.na
  - username: li.na
    department: it
contacts:
  - name: Example Cloud
    kind: vendor
    email: support@cloud.example.com
"""


def test_import_yaml_catalog_with_every_kind(plan: PlanVersion, here: Path) -> None:
    result = catalog("import", write(here / "company.yaml", CATALOG_YAML))

    assert result.returncode == 0, result.err
    assert result.out == (
        "imported company.yaml\n"
        "  systems: 2 created, 0 updated, 0 unchanged\n"
        "  risks: 1 created, 0 updated, 0 unchanged\n"
        "  people: 2 created, 0 updated, 0 unchanged\n"
        "  resources: 1 created, 0 updated, 0 unchanged\n"
        "  contacts: 1 created, 0 updated, 0 unchanged\n"
    )
    zhang = User.objects.get(username="zhang.wei")
    assert zhang.profile.phone == "13800000001"
    risk = Risk.objects.get()
    assert (risk.system.name, risk.owner, risk.rating) == ("ERP", zhang, 6)
    assert risk.next_review == dt.date(2027, 3, 31)
    assert [s.name for s in System.objects.get(name="ERP").depends_on.all()] == ["Database"]
    phone = Resource.objects.get()
    assert (phone.custodian, phone.quantity, phone.state) == (zhang, 2, "available")
    assert ExternalContact.objects.get().email == "support@cloud.example.com"
    membership = TeamMembership.objects.get()
    assert (membership.person, membership.backup.username) == (zhang, "li.na")


def test_import_yaml_section_with_kind_and_list_with_kind(plan: PlanVersion, here: Path) -> None:
    name = write(here / "company.yaml", CATALOG_YAML)

    result = catalog("import", name, "--kind", "contacts")

    assert result.out == "imported company.yaml\n  contacts: 1 created, 0 updated, 0 unchanged\n"
    listed = write(here / "list.yml", "- name: Law firm\n  kind: legal\n  phone: '010 0000'\n")
    assert catalog("import", listed).problems == [
        "list.yml:1: a list of records needs --kind (systems, risks, people, resources, contacts)"
    ]
    result = catalog("import", listed, "--kind", "contacts")
    assert result.out == "imported list.yml\n  contacts: 1 created, 0 updated, 0 unchanged\n"


def test_import_yaml_reports_the_line_of_each_bad_record(plan: PlanVersion, here: Path) -> None:
    before = stored()
    text = """\
systems:
  - name: ERP
    kind: erp
    owner_department: it
  - name: CRM
    kind: crm
    colour: blue
  - name: Website
    kind: website
    owner_department: development
    runbook_links: https://wiki.example.com/www
    depends_on: [ERP, Shop]
risks:
  - system: CRM
    title: Leak
    category: data_breach
    likelihood: 7
    impact_level: severe
    owner: nobody
    next_review: 2027-13-01
  - system: Billing
    title: Outage
resources:
  - name: Tape
    kind: backup_equipment
    department: it
    quantity: many
contacts:
  - name: Law firm
    kind: lawyer
  - name: Cloud
    kind: vendor
    email: support-at-example
gadgets: []
"""
    result = catalog("import", write(here / "bad.yaml", text))

    assert result.returncode == 1
    assert result.problems == [
        "bad.yaml:5 colour: unknown field (known: name, kind, owner_department, criticality, "
        "description, backup_location, backup_frequency, last_restore_verified, runbook_links, "
        "depends_on)",
        "bad.yaml:5 owner_department: required",
        "bad.yaml:8 runbook_links: must be a list of texts",
        "bad.yaml:8 depends_on: no system named 'Shop' in the file or the database",
        "bad.yaml:14 category: unknown risk category 'data_breach' "
        "(allowed: system_failure, data_leak, network_attack, human_error)",
        "bad.yaml:14 likelihood: must be a whole number from 1 to 5, not 7",
        "bad.yaml:14 impact_level: unknown impact level 'severe' (allowed: high, medium, low)",
        "bad.yaml:14 owner: no person with username 'nobody' in the file or the database",
        "bad.yaml:14 next_review: not a date: '2027-13-01' (use YYYY-MM-DD)",
        "bad.yaml:21 system: no system named 'Billing' in the file or the database",
        "bad.yaml:21 category: required",
        "bad.yaml:21 likelihood: required",
        "bad.yaml:21 impact_level: required",
        "bad.yaml:21 next_review: required",
        "bad.yaml:24 quantity: must be a whole number, 0 or more, not 'many'",
        "bad.yaml:29 kind: unknown contact kind 'lawyer' "
        "(allowed: vendor, support, legal, authority, other)",
        "bad.yaml:31 email: not an email address: 'support-at-example'",
        "bad.yaml:34 gadgets: unknown section (known: systems, risks, people, resources, contacts)",
    ]
    assert result.error == "bad.yaml: 18 problem(s); nothing imported"
    assert stored() == before


def test_import_yaml_syntax_error_is_one_line(plan: PlanVersion, here: Path) -> None:
    text = "systems:\n  - name: ERP\n    kind: [erp\n"

    result = catalog("import", write(here / "broken.yaml", text))

    assert result.returncode == 1
    assert len(result.problems) == 1
    assert result.problems[0].startswith("broken.yaml:4: YAML syntax error: ")


def test_import_yaml_structure_errors(plan: PlanVersion, here: Path) -> None:
    assert catalog("import", write(here / "a.yaml", "")).problems == ["a.yaml: empty file"]
    assert catalog("import", write(here / "b.yaml", "just text")).problems == [
        "b.yaml:1: expected a list of records or a mapping of systems, risks, people, "
        "resources, contacts"
    ]
    text = "systems:\n  - ERP\n  - name: CRM\n    name: CRM2\npeople: nobody\n"
    assert catalog("import", write(here / "c.yaml", text)).problems == [
        "c.yaml:2: a record must be a mapping of field: value",
        "c.yaml:3 name: duplicate field",
        "c.yaml:3 kind: required",
        "c.yaml:3 owner_department: required",
        "c.yaml:5 people: must be a list of records",
    ]
    assert System.objects.count() == 0


def test_contact_needs_a_way_to_reach_them(plan: PlanVersion, here: Path) -> None:
    text = "contacts:\n  - name: Law firm\n    kind: legal\n    phone: ''\n"

    assert catalog("import", write(here / "c.yaml", text)).problems == [
        "c.yaml:2 how_to_reach: give at least a phone, an email or how to reach them"
    ]
