from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import approve_report
from warroom.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("incident", *args, stdout=out)
    return out.getvalue()


def test_report_with_json(crm: Any, outsider: User) -> None:
    out = _run(
        "--user",
        "oscar",
        "report",
        "--title",
        "CRM login fails",
        "--system",
        "CRM",
        "--category",
        "system_failure",
        "--json",
    )
    data = json.loads(out)
    incident = Incident.objects.get()
    assert data == {
        "id": incident.pk,
        "reference": f"INC-{incident.pk}",
        "title": "CRM login fails",
        "status": "reported",
        "level": "",
        "category": "system_failure",
        "restricted": False,
        "systems": ["CRM"],
        "reported_at": incident.reported_at.isoformat(),
    }
    assert (incident.source, incident.reporter) == ("cli", outsider)


def test_report_unknown_system_is_exit_1(crm: Any, outsider: User) -> None:
    with pytest.raises(CommandError) as info:
        _run("--user", "oscar", "report", "--title", "x", "--system", "Mainframe")
    assert (info.value.returncode, str(info.value)) == (1, "--system: unknown system 'Mainframe'")
    assert Incident.objects.count() == 0


def test_lifecycle_from_the_cli(crm: Any, commander: User, outsider: User) -> None:
    _run("--user", "oscar", "report", "--title", "CRM slow", "--system", "CRM")
    pk = str(Incident.objects.get().pk)
    assert _run("--user", "chen", "ack", pk).split("\t")[1] == "acknowledged"
    assert _run(
        "--user", "chen", "assess", pk, "--level", "low", "--category", "system_failure"
    ).split("\t")[1:3] == ["assessed", "low"]
    assert _run("--user", "chen", "respond", pk).split("\t")[1] == "responding"
    assert _run("--user", "chen", "recover", pk).split("\t")[1] == "recovering"
    with pytest.raises(CommandError) as info:
        _run("--user", "chen", "close", pk)
    assert info.value.returncode == 1
    assert str(info.value) == "cannot go from Recovering to Closed"
    assert (
        _run("--user", "chen", "resolve", pk, "--override", "checked by phone").split("\t")[1]
        == "resolved"
    )


def test_closing_before_the_report_is_approved_is_exit_1(
    crm: Any, commander: User, outsider: User
) -> None:
    _run("--user", "oscar", "report", "--title", "CRM slow", "--system", "CRM")
    incident = Incident.objects.get()
    pk = str(incident.pk)
    _run("--user", "chen", "assess", pk, "--level", "low", "--category", "system_failure")
    for step in ("respond", "recover"):
        _run("--user", "chen", step, pk)
    _run("--user", "chen", "resolve", pk, "--override", "checked by phone")
    _run("--user", "chen", "review", pk)
    with pytest.raises(CommandError) as info:
        _run("--user", "chen", "close", pk)
    assert (info.value.returncode, str(info.value)) == (
        1,
        "the post-incident report must be approved before the incident is closed (report: Draft)",
    )
    approve_report(incident, commander)
    assert _run("--user", "chen", "close", pk).split("\t")[1] == "closed"


def test_transition_not_allowed_for_role_is_exit_1(crm: Any, outsider: User) -> None:
    _run("--user", "oscar", "report", "--title", "Wi-Fi flaky")
    pk = str(Incident.objects.get().pk)
    with pytest.raises(CommandError) as info:
        _run("--user", "oscar", "ack", pk)
    assert info.value.returncode == 1
    assert "does not allow" in str(info.value)


def test_actions_need_a_user(crm: Any) -> None:
    with pytest.raises(CommandError) as info:
        _run("list")
    assert str(info.value) == "--user (or WARROOM_USER) is required"
