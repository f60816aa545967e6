"""Reminders to customer service when the plan's update cadence for the level is due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from warroom.comms.models import UpdateReminder
from warroom.comms.reminders import send_due_reminders
from warroom.comms.tasks import task_update_reminders
from warroom.incidents.models import Incident, Participant
from warroom.notify.models import Delivery
from warroom.people.models import Profile

pytestmark = pytest.mark.django_db

MakeIncident = Callable[..., Incident]


def overdue(incident: Incident, minutes: int = 1) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        next_update_due=timezone.now() - timedelta(minutes=minutes)
    )
    incident.refresh_from_db()


def reminders_to() -> list[tuple[str, str]]:
    return sorted(
        (d.recipient.username, d.subject)
        for d in Delivery.objects.filter(kind="comms.update_due").select_related("recipient")
    )


def test_customer_service_is_reminded_once_per_due_time(
    cs_rep: User, make_incident: MakeIncident, post: Any
) -> None:
    Profile.objects.filter(user=cs_rep).update(language="en")
    incident = make_incident("ERP down", "ERP", level="high")
    assert incident.next_update_due is not None
    assert send_due_reminders() == 0  # due in 30 minutes, not yet

    overdue(incident)
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0  # the same due time: reminded already
    task_update_reminders.call_local()
    ref = incident.reference
    assert reminders_to() == [("cai", f"[warroom] {ref}: the next update to users is due")]
    body = Delivery.objects.get(kind="comms.update_due").body
    assert "The plan asks for an update to users every 30m at this level." in body
    assert "No public update has been posted yet." in body
    assert f"http://127.0.0.1:8000/comms/incidents/{incident.pk}/" in body

    # An update sets the next due time; once that passes, one more reminder.
    post(incident, "Still working on it.", actor=cs_rep)
    incident.refresh_from_db()
    assert incident.next_update_due > timezone.now()
    assert send_due_reminders() == 0
    overdue(incident)
    assert send_due_reminders() == 1
    assert UpdateReminder.objects.filter(incident=incident).count() == 2
    assert len(reminders_to()) == 2


def test_the_reminder_is_in_the_recipients_language(
    make_person: Callable[..., User], make_incident: MakeIncident
) -> None:
    make_person("mei", "customer_service", role="customer_service_rep", language="zh-hans")
    incident = make_incident("ERP down", "ERP", level="medium")
    overdue(incident)
    send_due_reminders()
    [row] = Delivery.objects.filter(kind="comms.update_due")
    # Rendered with the recipient's language active (its words come from the catalogue).
    assert (row.recipient.username, row.language) == ("mei", "zh-hans")
    assert row.subject.startswith(f"[warroom] {incident.reference}")


def test_participants_in_the_role_are_reminded_too_and_only_who_may_see(
    cs_rep: User, make_person: Callable[..., User], make_incident: MakeIncident
) -> None:
    helper = make_person("hui", "customer_service")
    leak = make_incident("Leak", "CRM", category="data_leak", restricted=True)
    Participant.objects.filter(incident=leak, user=cs_rep).delete()
    Participant.objects.create(incident=leak, user=helper, role="customer_service_rep")
    overdue(leak)
    assert send_due_reminders() == 1
    # cai holds the role but is not on the restricted incident: the message names it.
    assert [name for name, _subject in reminders_to()] == ["hui"]


def test_no_reminder_for_drills_unassessed_finished_or_publicly_resolved_incidents(
    cs_rep: User, make_incident: MakeIncident, post: Any
) -> None:
    drill = make_incident("DRILL", "ERP", drill=True)
    unassessed = make_incident("Odd", "ERP", assess=False)
    finished = make_incident("Done", "ERP")
    told_resolved = make_incident("Told", "ERP")
    post(told_resolved, "Fixed.", status="resolved")
    Incident.objects.filter(pk=finished.pk).update(status="resolved")
    for incident in (drill, unassessed, finished, told_resolved):
        overdue(incident)
    assert send_due_reminders() == 0
    assert reminders_to() == []
