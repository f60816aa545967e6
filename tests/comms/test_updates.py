"""Posting public updates: who may, what it records, and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient
from warroom.comms.models import PublicUpdate
from warroom.comms.services import post_public_update
from warroom.incidents.models import Incident, Participant, TimelineEvent, UserUpdate
from warroom.incidents.timeline import verify_incident
from warroom.lib.errors import DomainError

pytestmark = pytest.mark.django_db

MakeIncident = Callable[..., Incident]


def test_customer_service_posts_and_the_next_user_update_falls_due_by_the_plan(
    cs_rep: User, make_incident: MakeIncident
) -> None:
    incident = make_incident("ERP down", "ERP", level="high")
    eta = timezone.now() + dt.timedelta(hours=2)

    update = post_public_update(
        incident,
        actor=cs_rep,
        status="investigating",
        text_en=" Ordering is down. ",
        text_zh="下单功能不可用。",
        eta=eta,
    )

    assert (update.status, update.text_en, update.text_zh, update.eta, update.posted_by) == (
        "investigating",
        "Ordering is down.",
        "下单功能不可用。",
        eta,
        cs_rep,
    )
    incident.refresh_from_db()
    [internal] = UserUpdate.objects.filter(incident=incident)
    assert (internal.text, internal.eta) == ("Ordering is down.\n下单功能不可用。", eta)
    # The high level's user_update_every is 30m in the default plan.
    assert incident.next_update_due == internal.posted_at + dt.timedelta(minutes=30)
    last = TimelineEvent.objects.filter(incident=incident).order_by("-seq").first()
    assert last is not None
    assert (last.kind, last.actor, last.data["text"]) == (
        "user_update",
        cs_rep,
        "Ordering is down.\n下单功能不可用。",
    )
    assert verify_incident(incident) is None


@pytest.mark.parametrize("who", ["commander", "deputy", "admin", "cs_rep"])
def test_who_may_post(who: str, request: Any, make_incident: MakeIncident) -> None:
    actor = request.getfixturevalue(who)
    incident = make_incident("ERP down", "ERP")
    post_public_update(incident, actor=actor, status="identified", text_en="Found it.")
    assert PublicUpdate.objects.filter(incident=incident, posted_by=actor).count() == 1


def test_a_participant_in_the_customer_service_role_may_post(
    make_person: Callable[..., User], make_incident: MakeIncident
) -> None:
    helper = make_person("hui", "customer_service")
    incident = make_incident("ERP down", "ERP")
    with pytest.raises(PermissionDenied):
        post_public_update(incident, actor=helper, status="identified", text_en="x")
    Participant.objects.create(incident=incident, user=helper, role="customer_service_rep")
    post_public_update(incident, actor=helper, status="identified", text_en="Found it.")


def test_others_may_not_post(
    outsider: User, ops_rep: User, make_incident: MakeIncident, api_as: Callable[..., ApiClient]
) -> None:
    incident = make_incident("ERP down", "ERP")
    for actor in (outsider, ops_rep):
        with pytest.raises(PermissionDenied):
            post_public_update(incident, actor=actor, status="investigating", text_en="x")
    response = api_as(outsider).post(
        f"/incidents/{incident.pk}/public-updates",
        {"status": "investigating", "text_en": "We are investigating."},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "your role does not allow you to post public updates"}
    assert PublicUpdate.objects.count() == 0


def test_an_outsider_gets_403_from_the_page_form(
    outsider: User, make_incident: MakeIncident, login: Callable[[User], Client]
) -> None:
    incident = make_incident("ERP down", "ERP")
    client = login(outsider)
    page = client.get(f"/comms/incidents/{incident.pk}/")
    assert page.status_code == 200
    assert "Post a public update" not in page.content.decode()
    response = client.post(
        f"/comms/incidents/{incident.pk}/",
        {"status": "investigating", "text_en": "We are investigating."},
    )
    assert response.status_code == 403
    assert PublicUpdate.objects.count() == 0


def test_a_restricted_incident_is_hidden_from_customer_service_outside_it(
    cs_rep: User, make_incident: MakeIncident, api_as: Callable[..., ApiClient]
) -> None:
    leak = make_incident("Leak", "CRM", category="data_leak", restricted=True)
    Participant.objects.filter(incident=leak, user=cs_rep).delete()
    assert api_as(cs_rep).get(f"/incidents/{leak.pk}/public-updates").status_code == 404
    with pytest.raises(PermissionDenied):
        post_public_update(leak, actor=cs_rep, status="investigating", text_en="x")


def test_bad_input_is_refused(commander: User, make_incident: MakeIncident) -> None:
    incident = make_incident("ERP down", "ERP")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "investigating", "text_en": " ", "text_zh": ""}, "text_en"),
        ({"status": "fixed", "text_en": "x"}, "status"),
        (
            {
                "status": "investigating",
                "text_en": "x",
                "eta": timezone.now() - dt.timedelta(hours=1),
            },
            "eta",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(DomainError) as error:
            post_public_update(incident, actor=commander, **fields)
        assert error.value.field == field
    assert PublicUpdate.objects.count() == 0


def test_the_api_posts_and_lists(
    cs_rep: User, commander: User, make_incident: MakeIncident, api_as: Callable[..., ApiClient]
) -> None:
    incident = make_incident("ERP down", "ERP")
    cs = api_as(cs_rep)
    created = cs.post(
        f"/incidents/{incident.pk}/public-updates",
        {"status": "identified", "text_zh": "已找到原因。", "eta": "2099-01-01T12:00:00+08:00"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["incident"], body["status"], body["text_zh"], body["text_en"]) == (
        incident.pk,
        "identified",
        "已找到原因。",
        "",
    )
    assert body["posted_by"] == "cai"
    bad = cs.post(f"/incidents/{incident.pk}/public-updates", {"status": "identified"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "text_en"]
    listed = api_as(commander).get(f"/incidents/{incident.pk}/public-updates").json()
    assert [u["id"] for u in listed] == [body["id"]]


def test_a_finished_incident_can_still_be_told_resolved(
    commander: User, make_incident: MakeIncident
) -> None:
    incident = make_incident("False alarm", "ERP")
    post_public_update(incident, actor=commander, status="investigating", text_en="Looking.")
    Incident.objects.filter(pk=incident.pk).update(status="resolved")
    incident.refresh_from_db()
    due = incident.next_update_due

    post_public_update(incident, actor=commander, status="resolved", text_en="All fine again.")

    incident.refresh_from_db()
    assert incident.next_update_due == due  # no cadence once resolved
    last = TimelineEvent.objects.filter(incident=incident).order_by("-seq").first()
    assert last is not None
    assert (last.kind, last.data["text"]) == ("user_update", "All fine again.")
    assert verify_incident(incident) is None
