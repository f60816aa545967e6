"""Escalation: steps, waits, repeats, acknowledgement, stale and doubled timers, the sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from warroom.incidents.models import Incident
from warroom.incidents.services import acknowledge_incident, report_incident
from warroom.notify.models import Delivery
from warroom.paging import services
from warroom.paging.models import Paging
from warroom.people.models import TeamMembership, TeamRole
from warroom.people.services import set_backup, set_contact_methods

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(commander: User, deputy: User, make_person: Callable[..., User]) -> dict[str, User]:
    backup = make_person("bao", "it")
    set_backup(TeamMembership.objects.get(person=commander), backup)
    for user in (commander, deputy, backup):
        set_contact_methods(user, [{"label": "hook", "url": f"json://127.0.0.1:9/{user.username}"}])
    return {"commander": commander, "deputy": deputy, "backup": backup}


def _paged(incident: Incident) -> list[str]:
    return sorted(
        Delivery.objects.filter(incident_id=incident.pk).values_list(
            "recipient__username", flat=True
        )
    )


def _due_now(paging: Paging) -> None:
    # Test clock: make the waiting step due instead of sleeping through the wait.
    Paging.objects.filter(pk=paging.pk).update(
        next_step_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_first_step_pages_the_plan_team_with_the_report(
    team: dict[str, User], outsider: User
) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = Paging.objects.get(incident=incident)
    assert (paging.policy_name, paging.step, paging.round, paging.state) == ("plan", 1, 0, "active")
    assert _paged(incident) == ["chen", "dora"]
    paged_at = incident.timeline.get(kind="paged").at
    wait = (paging.next_step_at - paged_at).total_seconds()
    assert 300 <= wait <= 301  # the step's wait, counted from when it paged


def test_next_step_pages_the_backups_then_repeats_then_gives_up(
    team: dict[str, User], outsider: User
) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = Paging.objects.get(incident=incident)
    assert services.run_step(paging.pk, step=1, round=0) is False  # not due yet
    _due_now(paging)
    assert services.run_step(paging.pk, step=1, round=0) is True
    assert _paged(incident) == ["bao", "chen", "dora"]
    # Rounds: the policy runs 1 + repeat (2) times, then it is exhausted.
    for step, round in ((0, 1), (1, 1), (0, 2), (1, 2)):
        _due_now(paging)
        assert services.run_step(paging.pk, step=step, round=round) is True
    paging.refresh_from_db()
    assert (paging.state, paging.next_step_at) == ("exhausted", None)
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds.count("paged") == 6
    assert kinds[-1] == "paging_exhausted"


def test_doubled_and_stale_tasks_do_nothing(team: dict[str, User], outsider: User) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = Paging.objects.get(incident=incident)
    _due_now(paging)
    assert services.run_step(paging.pk, step=1, round=0) is True
    count = Delivery.objects.count()
    assert services.run_step(paging.pk, step=1, round=0) is False  # the same task again
    assert services.run_step(paging.pk, step=0, round=0) is False  # an old task
    assert Delivery.objects.count() == count


def test_acknowledgement_stops_escalation_and_cancels_waiting_pages(
    team: dict[str, User], outsider: User, ops_rep: User
) -> None:
    from warroom.notify.services import queue_page
    from warroom.paging.services import paged_message
    from warroom.people.models import ContactMethod

    incident = report_incident(reporter=outsider, title="ERP down")
    later = queue_page(
        team["deputy"],
        paged_message(incident),
        [(ContactMethod.objects.get(user=team["deputy"]), 600)],
        incident_id=incident.pk,
    )
    acknowledge_incident(incident, actor=ops_rep)
    paging = Paging.objects.get(incident=incident)
    assert (paging.state, paging.acknowledged_by, paging.next_step_at) == (
        "acknowledged",
        ops_rep,
        None,
    )
    later[0].refresh_from_db()
    assert later[0].status == "cancelled"
    Paging.objects.filter(pk=paging.pk).update(next_step_at=timezone.now())  # a late timer
    assert services.run_step(paging.pk, step=1, round=0) is False
    event = incident.timeline.order_by("-seq").first()
    assert (event.kind, event.data) == (
        "paging_stopped",
        {"state": "acknowledged", "cancelled_pages": 1},
    )


def test_notification_rules_page_now_and_later(team: dict[str, User], outsider: User) -> None:
    from warroom.people.models import ContactMethod

    chen = team["commander"]
    set_contact_methods(
        chen,
        [
            {"label": "hook", "url": "json://127.0.0.1:9/chen"},
            {"label": "mail", "url": "mailto://chen@example.com"},
        ],
    )
    hook, mail = ContactMethod.objects.filter(user=chen).order_by("position")
    services.set_notification_rules(chen, [(hook, 0), (mail, 10)])
    incident = report_incident(reporter=outsider, title="ERP down")
    rows = list(
        Delivery.objects.filter(incident_id=incident.pk, recipient=chen).order_by("next_attempt_at")
    )
    assert [(r.label, r.status) for r in rows] == [("hook", "pending"), ("mail", "pending")]
    assert 599 <= (rows[1].next_attempt_at - rows[0].created_at).total_seconds() <= 601


def test_custom_default_policy_is_copied_onto_the_incident(
    team: dict[str, User], outsider: User, ops_rep: User
) -> None:
    from warroom.paging.models import EscalationPolicy

    policy = services.save_policy(
        None,
        name="ops first",
        repeat=0,
        is_default=True,
        steps=[
            {"wait_minutes": 2, "targets": [{"type": "person", "username": "olga"}]},
            {"wait_minutes": 2, "targets": [{"type": "role", "role": "commander"}]},
        ],
    )
    incident = report_incident(reporter=outsider, title="Disk full")
    EscalationPolicy.objects.filter(pk=policy.pk).update(steps=[])  # edited afterwards
    paging = Paging.objects.get(incident=incident)
    assert paging.policy_name == "ops first"
    assert len(paging.steps) == 2
    assert _paged(incident) == ["olga"]
    _due_now(paging)
    services.run_step(paging.pk, step=1, round=0)
    assert _paged(incident) == ["chen", "olga"]


def test_bad_policy_is_refused_naming_the_part(plan: Any) -> None:
    from warroom.lib.errors import DomainError

    with pytest.raises(DomainError) as info:
        services.save_policy(None, name="x", steps=[{"targets": [{"type": "pager"}]}])
    assert (info.value.field, info.value.message) == (
        "steps[0].targets[0]",
        "type must be person, schedule or role",
    )


def test_sweep_reschedules_a_lost_step(team: dict[str, User], outsider: User) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = Paging.objects.get(incident=incident)
    Paging.objects.filter(pk=paging.pk).update(
        next_step_at=timezone.now() - dt.timedelta(seconds=60)
    )
    assert services.sweep() == 1  # immediate mode: the task ran right away
    paging.refresh_from_db()
    assert (paging.step, paging.round) == (0, 1)
    assert "bao" in _paged(incident)


def test_ack_link(team: dict[str, User], outsider: User) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    chen = team["commander"]
    url = services.ack_url(incident, chen).split("8000", 1)[-1]
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert Incident.objects.get(pk=incident.pk).status == "reported"  # GET changes nothing
    done = client.post(url)
    assert "Paging has stopped" in done.content.decode()
    incident.refresh_from_db()
    assert incident.status == "acknowledged"
    assert incident.timeline.get(kind="status").actor == chen
    forged = client.get(url[:-3] + "abc/")
    assert forged.status_code == 400


def test_page_body_carries_the_ack_link_in_the_recipients_language(
    team: dict[str, User], outsider: User
) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    row = Delivery.objects.filter(incident_id=incident.pk, recipient=team["commander"]).get()
    assert row.language == "zh-hans"
    assert f"/paging/ack/{services.ack_token(incident, team['commander'])[:20]}" in row.body


def test_removed_role_member_is_not_paged(team: dict[str, User], outsider: User) -> None:
    TeamMembership.objects.filter(role=TeamRole.objects.get(code="deputy")).delete()
    incident = report_incident(reporter=outsider, title="ERP down")
    assert _paged(incident) == ["chen"]


def test_policies_and_rules_in_the_api(
    api_as: Any, team: dict[str, User], ops_rep: User, outsider: User
) -> None:
    body = {
        "name": "night",
        "repeat": 1,
        "steps": [{"wait_minutes": 3, "targets": [{"type": "role", "role": "commander"}]}],
    }
    assert api_as(ops_rep).post("/escalation-policies", body).status_code == 403
    created = api_as(team["commander"]).post("/escalation-policies", body)
    assert created.status_code == 201
    assert created.json()["steps"] == body["steps"]
    bad = api_as(team["commander"]).post("/escalation-policies", {**body, "name": "x", "steps": []})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "steps"]
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = api_as(team["commander"]).get(f"/incidents/{incident.pk}/paging").json()
    assert (paging["policy_name"], paging["state"], paging["step"]) == ("plan", "active", 1)
    rules = api_as(team["commander"]).put(
        "/me/notification-rules", [{"contact_method": "hook", "delay_minutes": 0}]
    )
    assert rules.json() == [{"contact_method": "hook", "delay_minutes": 0}]
    wrong = api_as(team["commander"]).put(
        "/me/notification-rules", [{"contact_method": "pager", "delay_minutes": 0}]
    )
    assert wrong.status_code == 422


def test_duplicate_policy_name_is_409(api_as: Any, team: dict[str, User]) -> None:
    body = {"name": "night", "steps": [{"targets": [{"type": "role", "role": "commander"}]}]}
    assert api_as(team["commander"]).post("/escalation-policies", body).status_code == 201
    again = api_as(team["commander"]).post("/escalation-policies", body)
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["body", "name"]


def test_the_escalation_loop_runs_due_steps_only(team: dict[str, User], outsider: User) -> None:
    incident = report_incident(reporter=outsider, title="ERP down")
    paging = Paging.objects.get(incident=incident)
    assert services.run_due() == 0  # step 2 waits its minutes
    _due_now(paging)
    assert services.run_due() == 1
    paging.refresh_from_db()
    assert (paging.step, paging.round) == (0, 1)
    assert "bao" in _paged(incident)
    # The step's own queued task (or a second loop) comes too late and does nothing.
    assert services.run_step(paging.pk, step=1, round=0) is False
    assert services.run_due() == 0


def test_a_report_naming_a_policy_pages_through_it_and_a_vanished_one_through_the_default(
    team: dict[str, User], outsider: User
) -> None:
    policy = services.save_policy(
        None, name="Backup first", steps=[{"targets": [{"type": "person", "username": "bao"}]}]
    )

    chosen = report_incident(reporter=outsider, title="ERP down", escalation_policy=policy.pk)
    gone = report_incident(reporter=outsider, title="CRM down", escalation_policy=policy.pk + 1)

    assert Paging.objects.get(incident=chosen).policy_name == "Backup first"
    assert _paged(chosen) == ["bao"]
    assert chosen.timeline.get(kind="paged").data["policy"] == "Backup first"
    assert Paging.objects.get(incident=gone).policy_name == "plan"
    assert _paged(gone) == ["chen", "dora"]


def test_a_step_scheduled_in_the_worker_needs_no_queue_task(
    team: dict[str, User], outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker's escalation loop runs every due step; code running beside it (the inbox
    routing alerts) schedules no task — elsewhere (the web) the step task is queued too."""
    from huey.contrib.djhuey import HUEY

    def step_tasks() -> int:
        return sum(t.name.endswith("task_escalation_step") for t in HUEY.scheduled())

    with django_capture_on_commit_callbacks(execute=True):
        report_incident(reporter=outsider, title="ERP down")
    assert step_tasks() == 1
    services.steps_run_here(True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            incident = report_incident(reporter=outsider, title="CRM down")
        assert step_tasks() == 1
        paging = Paging.objects.get(incident=incident)
        _due_now(paging)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.run_due() == 1  # its second step, run by the loop
    finally:
        services.steps_run_here(False)
    assert _paged(incident) == ["bao", "chen", "dora"]
    assert step_tasks() == 1


def test_a_failing_step_does_not_hold_up_the_others(
    team: dict[str, User], outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the worker the escalation loop is the only runner of most steps: one that fails is
    logged and stays due, and the steps due after it run all the same."""
    broken = report_incident(reporter=outsider, title="ERP down")
    fine = report_incident(reporter=outsider, title="CRM down")
    for incident in (broken, fine):
        _due_now(Paging.objects.get(incident=incident))
    real = services.run_step
    broken_paging = Paging.objects.get(incident=broken).pk

    def run_step(paging_id: int, *, step: int, round: int) -> bool:
        if paging_id == broken_paging:
            raise RuntimeError("a broken schedule")
        return real(paging_id, step=step, round=round)

    monkeypatch.setattr(services, "run_step", run_step)
    assert services.run_due() == 1
    assert _paged(fine) == ["bao", "chen", "dora"]
    assert Paging.objects.get(pk=broken_paging).step == 1  # still due, tried again next pass
