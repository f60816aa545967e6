"""Restricted incidents are seen only by participants, the security lead, legal and admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import ApiClient
from warroom.incidents.queries import search, visible_incidents
from warroom.incidents.services import report_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def leak(plan: Any, outsider: User, commander: User, deputy: User) -> Any:
    return report_incident(reporter=commander, title="Leaked salary sheet", category="data_leak")


@pytest.fixture
def outage(plan: Any, commander: User) -> Any:
    return report_incident(reporter=commander, title="Website slow")


def test_who_sees_a_restricted_incident(
    leak: Any,
    outage: Any,
    outsider: User,
    ops_rep: User,
    deputy: User,
    legal: User,
    admin: User,
    commander: User,
) -> None:
    assert leak.restricted is True
    for user, sees_leak in (
        (outsider, False),
        (ops_rep, False),
        (deputy, True),
        (legal, True),
        (admin, True),
        (commander, True),
    ):
        titles = set(visible_incidents(user).values_list("title", flat=True))
        assert titles == (
            {"Leaked salary sheet", "Website slow"} if sees_leak else {"Website slow"}
        ), user
        assert search(user, "salary").exists() == sees_leak


def test_api_hides_restricted_incidents(
    api_as: Callable[..., ApiClient], leak: Any, outage: Any, outsider: User
) -> None:
    api = api_as(outsider)
    assert [i["title"] for i in api.get("/incidents").json()["items"]] == ["Website slow"]
    assert api.get(f"/incidents/{leak.pk}").status_code == 404
    assert api.get(f"/incidents/{leak.pk}/tasks").status_code == 404
    assert api.post(f"/incidents/{leak.pk}/acknowledge", {}).status_code == 404


def test_marking_restricted_by_hand(plan: Any, commander: User, outsider: User) -> None:
    incident = report_incident(reporter=commander, title="Board laptop stolen", restricted=True)
    assert incident.restricted is True
    assert not visible_incidents(outsider).filter(pk=incident.pk).exists()


def test_notifications_reach_only_people_who_may_see(
    leak: Any, outsider: User, deputy: User, commander: User
) -> None:
    from warroom.notify.models import Delivery

    recipients = set(
        Delivery.objects.filter(incident_id=leak.pk).values_list("recipient__username", flat=True)
    )
    assert recipients == {"chen", "dora"}
    for username in recipients:
        user = User.objects.get(username=username)
        assert visible_incidents(user).filter(pk=leak.pk).exists()


def test_orders_of_a_restricted_incident_go_with_it(
    leak: Any, commander: User, ops_rep: User
) -> None:
    from warroom.incidents.models import Participant
    from warroom.incidents.queries import my_orders
    from warroom.incidents.services import issue_order

    issue_order(leak, actor=commander, text="SECRET: rotate the keys", to_person=ops_rep)
    assert [o.text for o in my_orders(ops_rep)] == ["SECRET: rotate the keys"]
    Participant.objects.filter(incident=leak, user=ops_rep).delete()  # taken off the team
    assert list(my_orders(ops_rep)) == []


def test_resolution_is_told_to_everyone_on_the_incident(
    plan: Any, commander: User, outsider: User
) -> None:
    from warroom.incidents.models import Incident
    from warroom.incidents.services import resolve_incident
    from warroom.notify.models import Delivery

    incident = report_incident(reporter=outsider, title="Printer queue stuck")
    Incident.objects.filter(pk=incident.pk).update(
        status="recovering", level="low", category="system_failure"
    )
    resolve_incident(incident, actor=commander)
    told = Delivery.objects.filter(incident_id=incident.pk, kind="incident.resolved")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["oscar"]
