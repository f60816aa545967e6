from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from warroom.incidents.models import Incident, TimelineEvent
from warroom.incidents.models.timeline import TimelineImmutable
from warroom.incidents.services import acknowledge_incident, report_incident
from warroom.incidents.timeline import AppendConflict, append_event

pytestmark = pytest.mark.django_db


def _verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def incident(plan: Any, outsider: User, ops_rep: User) -> Incident:
    incident = report_incident(reporter=outsider, title="VPN down")
    acknowledge_incident(incident, actor=ops_rep)
    return incident


def test_intact_chain_verifies(incident: Incident) -> None:
    assert list(incident.timeline.order_by("seq").values_list("kind", flat=True)) == [
        "reported",
        "paged",
        "status",
        "paging_stopped",
    ]
    code, out, _ = _verify()
    assert (code, out) == (0, "1 incident timeline(s) intact\n")


def test_each_entry_links_to_the_previous(incident: Incident) -> None:
    events = list(incident.timeline.order_by("seq"))
    assert events[0].prev_hash == ""
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    incident.refresh_from_db()
    assert incident.timeline_head == events[-1].hash


def test_changed_entry_is_detected(incident: Incident) -> None:
    # Tampering straight in the database, bypassing the model's refusal.
    TimelineEvent.objects.filter(incident=incident, seq=2).update(data={"people": ["mallory"]})
    code, _, err = _verify()
    assert code == 1
    assert f"INC-{incident.pk} entry #2: paged entry was changed" in err


def test_deleted_entry_is_detected(incident: Incident) -> None:
    TimelineEvent.objects.filter(incident=incident, seq=2)._raw_delete(using="default")
    code, _, err = _verify()
    assert code == 1
    assert f"INC-{incident.pk} entry #2: entry missing (deleted)" in err


def test_deleted_last_entry_is_detected(incident: Incident) -> None:
    TimelineEvent.objects.filter(incident=incident, seq=4)._raw_delete(using="default")
    code, _, err = _verify()
    assert code == 1
    assert f"INC-{incident.pk} entry #4: entry missing at the end (deleted)" in err


def test_the_application_cannot_change_or_delete_entries(incident: Incident) -> None:
    event = incident.timeline.first()
    assert event is not None
    event.kind = "nothing happened"
    with pytest.raises(TimelineImmutable):
        event.save()
    with pytest.raises(TimelineImmutable):
        event.delete()


def test_an_entry_after_a_stale_head_is_refused_and_nothing_is_written(
    incident: Incident,
) -> None:
    # `locked=True` trusts the object's head; an object read before the last entry is stale.
    stale = Incident.objects.get(pk=incident.pk)
    append_event(incident, "note", actor=None, data={"text": "first"})
    before = list(incident.timeline.values_list("seq", "hash"))

    with pytest.raises((AppendConflict, IntegrityError)), transaction.atomic():
        append_event(stale, "note", actor=None, data={"text": "second"}, locked=True)

    assert list(incident.timeline.values_list("seq", "hash")) == before
    assert _verify()[0] == 0
