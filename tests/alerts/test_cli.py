"""`warroom integration create|list`."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.alerts.conftest import am_url, payload, post
from warroom.alerts import keys
from warroom.alerts.models import Integration
from warroom.catalog.models import System
from warroom.paging.services import save_policy

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("integration", *args, stdout=out)
    return out.getvalue()


def test_create_json_prints_the_key_once(plan: Any, client: Client) -> None:
    data = json.loads(run("create", "--kind", "alertmanager", "--name", "Prometheus", "--json"))

    integration = Integration.objects.get()
    assert data == {
        "id": integration.pk,
        "kind": "alertmanager",
        "name": "Prometheus",
        "key": data["key"],
        "url": f"http://127.0.0.1:8000/api/v1/integrations/alertmanager/{data['key']}",
    }
    assert integration.key_digest == keys.digest(data["key"])
    assert post(client, am_url(data["key"]), payload("alertmanager/firing_disk")).status_code == 200


def test_create_text_and_list(plan: Any, erp: System) -> None:
    text = run("create", "--kind", "pagerduty", "--name", "Zabbix", "--system", "ERP")
    integration = Integration.objects.get()
    lines = text.splitlines()
    assert lines[0] == f"integration {integration.pk}: Zabbix (pagerduty)"
    assert lines[1].startswith("key (shown once): ")
    assert lines[2] == "url: http://127.0.0.1:8000/v2/enqueue"

    listed = run("list")
    assert listed == (
        f"{integration.pk}\tpagerduty\tZabbix\t{integration.key_prefix}…\tenabled\t600/min\tERP\n"
    )
    assert lines[1].removeprefix("key (shown once): ") not in listed
    [row] = json.loads(run("list", "--json"))
    assert row["key_prefix"] == integration.key_prefix


def test_create_refuses_bad_input(plan: Any) -> None:
    with pytest.raises(CommandError, match="no system named 'Nope'"):
        run("create", "--kind", "generic", "--name", "x", "--system", "Nope")
    with pytest.raises(CommandError, match="default_level: unknown impact level 'severe'"):
        run("create", "--kind", "generic", "--name", "x", "--level", "severe")
    with pytest.raises(
        CommandError, match="default_escalation_policy: unknown escalation policy 'Ops'"
    ):
        run("create", "--kind", "generic", "--name", "x", "--policy", "Ops")
    assert Integration.objects.count() == 0


def test_create_with_an_escalation_policy(plan: Any) -> None:
    policy = save_policy(None, name="Ops", steps=[{"targets": [{"type": "role", "role": "x"}]}])

    run("create", "--kind", "generic", "--name", "Uptime", "--policy", "Ops")

    assert Integration.objects.get().default_escalation_policy == policy
