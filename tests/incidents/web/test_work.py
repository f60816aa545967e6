"""The work forms of the incident page: tasks and checklists, the recovery checklist, records,
resources and outside help, the report draft and its action items."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import dept
from warroom.catalog.models import System
from warroom.incidents import services
from warroom.incidents.models import (
    ActionItem,
    CheckItem,
    Incident,
    OutsideHelp,
    RecoveryItem,
    Task,
)
from warroom.resources.models import Resource
from warroom.resources.services import save_contact, save_resource

from .conftest import HTMX, Login, recovering, responding, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def working(outage: Incident, commander: User) -> Incident:
    return responding(outage, commander)


def task_form(task: Task, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "status": task.status,
        "assignee": task.assignee_id or "",
        "notes": task.notes,
    }
    data.update(changes)
    return data


# Tasks


def test_tasks_are_grouped_by_department_in_the_plans_order(
    login: Login, ops_rep: User, working: Incident
) -> None:
    response = login(ops_rep).get(url(working))
    groups = response.context["page"].task_groups
    assert [(g.department, [r.task.code for r in g.tasks]) for g in groups] == [
        ("IT department", ["troubleshoot", "restore_backup", "spare_hardware"]),
        ("Development team", ["fix_defect"]),
        ("Operations team", ["full_system_check"]),
        ("Customer service", ["user_communication"]),
    ]
    body = response.content.decode()
    task = working.tasks.get(code="troubleshoot")
    assert f'action="/incidents/{working.pk}/tasks/{task.pk}/"' in body


def test_checklist_items_are_checked_and_unchecked(
    login: Login, ops_rep: User, working: Incident
) -> None:
    item = CheckItem.objects.filter(task__incident=working, task__code="troubleshoot").first()
    assert item is not None
    client = login(ops_rep)
    response = client.post(url(working, f"checklist/{item.pk}"), {"done": "on"}, headers=HTMX)
    body = response.content.decode()
    assert body.startswith('<section id="incident-tasks"')
    assert '<p class="flash success" role="status">Checklist saved.</p>' in body
    assert 'id="incident-timeline" class="panel"' in body  # the timeline, out of band
    item.refresh_from_db()
    assert (item.done_by, item.done_at is not None) == (ops_rep, True)
    assert client.post(url(working, f"checklist/{item.pk}"), {}).status_code == 302
    item.refresh_from_db()
    assert (item.done_by, item.done_at) == (None, None)


def test_task_status_and_assignee_are_saved(
    login: Login, ops_rep: User, commander: User, working: Incident
) -> None:
    task = working.tasks.get(code="troubleshoot")
    client = login(ops_rep)
    response = client.post(
        url(working, f"tasks/{task.pk}"), task_form(task, status="done", assignee=ops_rep.pk)
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/incidents/{working.pk}/#incident-tasks",
    )
    task.refresh_from_db()
    assert (task.status, task.assignee, task.completed_by) == ("done", ops_rep, ops_rep)
    last = working.timeline.order_by("-seq").first()
    assert last is not None
    assert (last.kind, last.data) == (
        "task",
        {"task": "troubleshoot", "status": "done", "assignee": "olga"},
    )
    # saving again unchanged records nothing new
    client.post(url(working, f"tasks/{task.pk}"), task_form(task))
    assert working.timeline.order_by("-seq").first() == last


def test_overdue_tasks_stand_out(login: Login, ops_rep: User, working: Incident) -> None:
    from django.utils import timezone

    task = working.tasks.get(code="troubleshoot")
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timezone.timedelta(minutes=1))
    body = login(ops_rep).get(url(working)).content.decode()
    assert f'<article id="task-{task.pk}" class="task status-open overdue">' in body
    other = working.tasks.get(code="fix_defect")
    assert f'<article id="task-{other.pk}" class="task status-open">' in body


def test_a_bad_task_status_is_reported_in_the_section(
    login: Login, ops_rep: User, working: Incident
) -> None:
    task = working.tasks.get(code="troubleshoot")
    response = login(ops_rep).post(
        url(working, f"tasks/{task.pk}"), task_form(task, status="finished"), headers=HTMX
    )
    assert (
        '<p class="flash error" role="status">Not saved: Status: Select a valid choice. '
        "finished is not one of the available choices.</p>"
    ) in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_outsider_may_not_work_on_tasks(login: Login, outsider: User, working: Incident) -> None:
    task = working.tasks.get(code="troubleshoot")
    item = task.checklist.first()
    assert item is not None
    client = login(outsider)
    body = client.get(url(working)).content.decode()
    assert f"/tasks/{task.pk}/" not in body
    assert f"/checklist/{item.pk}/" not in body
    assert (
        client.post(url(working, f"tasks/{task.pk}"), task_form(task, status="done")).status_code
        == 403
    )
    assert client.post(url(working, f"checklist/{item.pk}"), {"done": "on"}).status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_a_task_of_another_incident_is_404(
    login: Login, ops_rep: User, working: Incident, reporter: User
) -> None:
    other = services.report_incident(reporter=reporter, title="Other")
    task = working.tasks.get(code="troubleshoot")
    assert login(ops_rep).post(url(other, f"tasks/{task.pk}"), task_form(task)).status_code == 404


def test_incident_page_queries_do_not_grow_with_tasks(
    login: Login, ops_rep: User, working: Incident, django_assert_max_num_queries: Any
) -> None:
    client = login(ops_rep)
    client.get(url(working))
    # about 30 reads, one per section's list, whatever the number of tasks or items
    with django_assert_max_num_queries(32) as before:
        client.get(url(working))
    for task in working.tasks.all():
        services.update_task(task, actor=ops_rep, assignee=ops_rep)
        for item in task.checklist.all():
            services.check_item(item, actor=ops_rep)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url(working))


# The recovery checklist


def test_recovery_items_are_signed_one_by_one(
    login: Login, commander: User, ops_rep: User, outage: Incident
) -> None:
    incident = recovering(outage, commander)
    items = list(RecoveryItem.objects.filter(incident=incident))
    assert [i.code for i in items] == [
        "full_check",
        "security_recheck",
        "data_integrity",
        "staged_return",
        "monitoring_watch",
        "user_notice",
    ]
    client = login(ops_rep)
    first = client.post(
        url(incident, f"recovery/{items[0].pk}/sign"), {"notes": "all green"}, headers=HTMX
    )
    body = first.content.decode()
    assert body.startswith('<section id="incident-recovery"')
    assert "5 items still to sign." in body
    items[0].refresh_from_db()
    assert (items[0].signed_by, items[0].notes) == (ops_rep, "all green")
    again = client.post(url(incident, f"recovery/{items[0].pk}/sign"), {}, headers=HTMX)
    assert '<p class="flash error" role="status">already signed</p>' in again.content.decode()
    for item in items[1:]:
        assert client.post(url(incident, f"recovery/{item.pk}/sign"), {}).status_code == 302
    body = client.get(url(incident)).content.decode()
    assert "Every item is signed." in body


# Records


def test_restore_and_user_update_are_recorded(
    login: Login, ops_rep: User, cs_rep: User, working: Incident, crm: System
) -> None:
    response = login(ops_rep).post(
        url(working, "restores"),
        {"system": crm.pk, "backup_ref": "snapshot 03:00", "verified": "on", "notes": ""},
    )
    assert response.status_code == 302
    restore = working.restores.get()
    assert (restore.system, restore.backup_ref, restore.verified) == (crm, "snapshot 03:00", True)
    missing = login(ops_rep).post(url(working, "restores"), {"system": crm.pk, "backup_ref": " "})
    assert missing.context["page"].forms["restore"].errors == {
        "backup_ref": ["say which backup was restored"]
    }
    posted = login(cs_rep).post(
        url(working, "user-updates"),
        {"text": "We are restoring the CRM.", "eta": "2030-01-01T12:00"},
    )
    assert posted.status_code == 302
    update = working.user_updates.get()
    assert update.text == "We are restoring the CRM."
    assert update.eta is not None


def test_leak_assessment_by_security_and_decision_by_legal(
    login: Login, commander: User, deputy: User, legal: User, plan: Any
) -> None:
    leak = services.report_incident(
        reporter=commander, title="Dump on a forum", category="data_leak"
    )
    services.assess_incident(leak, actor=commander, level="high", category="data_leak")
    body = login(deputy).get(url(leak)).content.decode()
    assert f'action="/incidents/{leak.pk}/leak/"' in body
    assert f'action="/incidents/{leak.pk}/leak/legal-decision/"' not in body
    assert (
        login(deputy)
        .post(url(leak, "leak"), {"data_kinds": "emails", "records_affected": "120"})
        .status_code
        == 302
    )
    assert (
        login(deputy)
        .post(
            url(leak, "leak/legal-decision"),
            {"notify_authorities": "yes", "notify_users": "no", "reasoning": "x"},
        )
        .status_code
        == 403
    )
    legal_page = login(legal).get(url(leak)).content.decode()
    assert f'action="/incidents/{leak.pk}/leak/legal-decision/"' in legal_page
    no_reason = login(legal).post(
        url(leak, "leak/legal-decision"), {"notify_authorities": "yes", "notify_users": "no"}
    )
    assert no_reason.context["page"].forms["legal"].errors == {"reasoning": ["give the reasoning"]}
    decided = login(legal).post(
        url(leak, "leak/legal-decision"),
        {"notify_authorities": "yes", "notify_users": "no", "reasoning": "PIPL art. 57"},
    )
    assert decided.status_code == 302
    record = leak.leak
    record.refresh_from_db()
    assert (record.records_affected, record.notify_authorities, record.notify_users) == (
        120,
        True,
        False,
    )


# Logistics


def test_resources_are_allocated_and_released(
    login: Login, ops_rep: User, working: Incident
) -> None:
    kit = save_resource(None, name="Spare server", kind="spare_servers", department=dept("it"))
    client = login(ops_rep)
    form = client.get(url(working)).context["page"].forms["allocate"]
    assert list(form.fields["resource"].queryset) == [kit]
    response = client.post(url(working, "allocations"), {"resource": kit.pk}, headers=HTMX)
    assert response.content.decode().startswith('<section id="incident-logistics"')
    kit.refresh_from_db()
    assert kit.state == "allocated"
    allocation = working.allocations.get()
    again = client.post(url(working, "allocations"), {"resource": kit.pk})
    assert again.context["page"].forms["allocate"].errors == {
        "resource": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert client.post(url(working, f"allocations/{allocation.pk}/release")).status_code == 302
    kit.refresh_from_db()
    assert kit.state == "available"
    assert Resource.objects.get(pk=kit.pk).allocations.get().released_by == ops_rep


def test_outside_help_is_requested_and_its_outcome_recorded(
    login: Login, ops_rep: User, working: Incident
) -> None:
    vendor = save_contact(None, name="Acme CRM support", kind="vendor", phone="+86 10 1")
    client = login(ops_rep)
    assert (
        client.post(
            url(working, "outside-help"), {"contact": vendor.pk, "asked": "Why do workers crash?"}
        ).status_code
        == 302
    )
    request = OutsideHelp.objects.get()
    assert (
        client.post(
            url(working, f"outside-help/{request.pk}/outcome"), {"outcome": "Patch 4.2"}
        ).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.outcome == "Patch 4.2"


# The review


def test_report_draft_is_shown_once_resolved_and_edited_by_leads(
    login: Login, commander: User, ops_rep: User, outage: Incident
) -> None:
    incident = recovering(outage, commander)
    assert "Post-incident report" not in login(commander).get(url(incident)).content.decode()
    for item in incident.recovery_items.all():
        services.sign_recovery_item(item, actor=ops_rep)
    services.resolve_incident(incident, actor=commander)
    response = login(commander).get(url(incident))
    body = response.content.decode()
    assert "Post-incident report (draft)" in body
    assert f'action="/incidents/{incident.pk}/report/"' in body
    assert [t["label"] for t in response.context["page"].report_timings] == [
        "Acknowledge",
        "Assess",
        "Mitigate",
        "Resolve",
    ]
    # the operations representative reads it, without the form
    other = login(ops_rep).get(url(incident)).content.decode()
    assert "Post-incident report (draft)" in other
    assert f'action="/incidents/{incident.pk}/report/"' not in other
    assert login(ops_rep).post(url(incident, "report"), {"lessons": "x"}).status_code == 403

    client = login(commander)
    saved = client.post(
        url(incident, "report"),
        {
            "what_happened": "CRM down",
            "what_was_done": "Restarted",
            "lessons": "Watch",
            "impact": "",
        },
    )
    assert saved.status_code == 302
    incident.report.refresh_from_db()
    assert (incident.report.what_happened, incident.report.lessons) == ("CRM down", "Watch")
    added = client.post(
        url(incident, "action-items"), {"title": "Alert on worker crashes", "owner": ops_rep.pk}
    )
    assert added.status_code == 302
    action = ActionItem.objects.get()
    # its owner may set its status
    assert (
        login(ops_rep)
        .post(url(incident, f"action-items/{action.pk}"), {"status": "done"})
        .status_code
        == 302
    )
    action.refresh_from_db()
    assert action.status == "done"
