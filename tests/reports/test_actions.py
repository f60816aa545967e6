"""Action items: owners are reminded a day before the due date and once it has passed (once
per due date), the list of open and overdue items, and an item that points at a plan change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.reports.conftest import Login
from warroom.incidents import services
from warroom.incidents.models import ActionItem, Incident
from warroom.notify.models import Delivery
from warroom.plan.models import PlanRevision
from warroom.reports.services import remind_action_items

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def _reminders(user: User) -> list[tuple[str, str]]:
    return list(
        Delivery.objects.filter(recipient=user, kind__startswith="action_item.")
        .order_by("id")
        .values_list("kind", "subject")
    )


def test_owner_is_reminded_once_when_due_and_once_when_overdue(
    resolved: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    services.add_action_item(
        resolved,
        actor=commander,
        title="Alert on worker crashes",
        owner=ops_rep,
        due_date=today + DAY,
    )
    assert remind_action_items(today - DAY) == 0  # two days ahead: not yet
    assert remind_action_items(today) == 1
    assert remind_action_items(today) == 0
    assert remind_action_items(today + DAY) == 0  # due today: reminded already
    assert remind_action_items(today + 2 * DAY) == 1
    assert remind_action_items(today + 3 * DAY) == 0
    # olga has no contact method: the rows show the gap, in her language (zh-hans default)
    assert [kind for kind, _subject in _reminders(ops_rep)] == [
        "action_item.due",
        "action_item.overdue",
    ]


def test_reminder_text_names_the_item_the_incident_and_the_day(
    resolved: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    ops_rep.profile.language = "en"
    ops_rep.profile.save()
    services.add_action_item(
        resolved, actor=commander, title="Runbook for CRM", owner=ops_rep, due_date=today
    )
    remind_action_items(today)
    delivery = Delivery.objects.get(recipient=ops_rep)
    assert delivery.subject == "Action item due today: Runbook for CRM"
    assert delivery.body.startswith(
        f"You own the action item “Runbook for CRM” from the review of INC-{resolved.pk} "
        "CRM is down.\n"
        f"It is due today, {today.isoformat()}.\n"
    )
    assert f"/incidents/{resolved.pk}/" in delivery.body
    assert delivery.incident_id == resolved.pk


def test_a_moved_due_date_is_reminded_again(
    resolved: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    item = services.add_action_item(
        resolved, actor=commander, title="Scan", owner=ops_rep, due_date=today
    )
    assert remind_action_items(today) == 1
    item.refresh_from_db()
    services.update_action_item(item, actor=commander, due_date=today + DAY)
    assert remind_action_items(today) == 1
    assert remind_action_items(today) == 0


def test_done_items_and_items_without_owner_are_not_reminded(
    resolved: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    done = services.add_action_item(
        resolved, actor=commander, title="Done", owner=ops_rep, due_date=today - DAY
    )
    services.set_action_status(done, actor=ops_rep, status="done")
    services.add_action_item(resolved, actor=commander, title="Nobody's", due_date=today - DAY)
    assert remind_action_items(today) == 0


def test_a_restricted_incidents_reminder_leaves_out_its_title(
    leak: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    services.add_action_item(
        leak, actor=commander, title="Close the bucket", owner=ops_rep, due_date=today - DAY
    )
    assert remind_action_items(today) == 1
    body = Delivery.objects.get(recipient=ops_rep, kind="action_item.overdue").body
    assert f"INC-{leak.pk}" in body
    assert "Dump on a forum" not in body


# The list


def test_overdue_list_shows_what_the_viewer_may_see_in_constant_queries(
    login: Login,
    resolved: Incident,
    leak: Incident,
    commander: User,
    ops_rep: User,
    outsider: User,
    today: dt.date,
    django_assert_num_queries: Any,
) -> None:
    services.add_action_item(
        resolved, actor=commander, title="Public one", owner=ops_rep, due_date=today - DAY
    )
    services.add_action_item(
        leak, actor=commander, title="Secret one", owner=ops_rep, due_date=today - DAY
    )
    services.add_action_item(resolved, actor=commander, title="Later", due_date=today + DAY)
    body = login(outsider).get("/incidents/actions/").content.decode()
    assert "Public one" in body
    assert "Secret one" not in body
    assert "Later" not in body
    assert "Secret one" in login(ops_rep).get("/incidents/actions/").content.decode()
    assert "Later" in login(outsider).get("/incidents/actions/?show=open").content.decode()
    mine = login(ops_rep).get("/incidents/actions/?show=mine").content.decode()
    assert ("Public one" in mine, "Later" in mine) == (True, False)

    client = login(commander)
    client.get("/incidents/actions/?show=open")  # warm the session and the plan cache
    with django_assert_num_queries(5) as few:
        client.get("/incidents/actions/?show=open")
    for n in range(5):
        services.add_action_item(
            resolved, actor=commander, title=f"More {n}", owner=ops_rep, due_date=today
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/incidents/actions/?show=open")


def test_action_items_api_lists_overdue_ones(
    api_as: Any, resolved: Incident, commander: User, ops_rep: User, today: dt.date
) -> None:
    item = services.add_action_item(
        resolved, actor=commander, title="Late", owner=ops_rep, due_date=today - DAY
    )
    services.add_action_item(resolved, actor=commander, title="Fine", due_date=today + DAY)
    overdue = api_as(ops_rep).get("/action-items").json()
    assert overdue["count"] == 1
    assert overdue["items"][0] == {
        "id": item.pk,
        "incident": resolved.pk,
        "title": "Late",
        "owner": "olga",
        "due_date": (today - DAY).isoformat(),
        "status": "open",
        "plan_change": None,
    }
    assert api_as(ops_rep).get("/action-items?show=open").json()["count"] == 2
    assert api_as(ops_rep).get("/action-items?show=mine").json()["count"] == 1


# Pointing at a plan change


def test_an_action_item_points_at_a_plan_change(
    api_as: Any, resolved: Incident, commander: User, default_plan_text: str
) -> None:
    cmd = api_as(commander)
    revision = cmd.post(
        "/plan/revisions",
        {"source": default_plan_text.replace("review_every: 365d", "review_every: 180d")},
    ).json()
    added = cmd.post(
        f"/incidents/{resolved.pk}/action-items",
        {"title": "Review the plan twice a year", "plan_change": revision["id"]},
    )
    assert added.status_code == 201
    assert added.json()["plan_change"] == revision["id"]
    item = ActionItem.objects.get()
    assert item.plan_change == PlanRevision.objects.get(pk=revision["id"])
    assert cmd.get(f"/plan/revisions/{revision['id']}").json()["action_items"] == [item.pk]
    unknown = cmd.post(
        f"/incidents/{resolved.pk}/action-items", {"title": "x", "plan_change": 9999}
    )
    assert unknown.status_code == 422
    cleared = cmd.patch(f"/incidents/{resolved.pk}/action-items/{item.pk}", {"plan_change": None})
    assert cleared.json()["plan_change"] is None
    md = cmd.get(f"/incidents/{resolved.pk}/report/export?format=md&lang=zh-hans")
    assert "改进措施" in md.content.decode()


def test_the_report_names_the_plan_change_of_an_action_item(
    login: Login, resolved: Incident, commander: User, default_plan_text: str
) -> None:
    from warroom.plan.revisions import propose_revision

    revision = propose_revision(
        default_plan_text.replace("review_every: 365d", "review_every: 180d"), actor=commander
    )
    services.add_action_item(
        resolved, actor=commander, title="Review twice a year", plan_change=revision
    )
    client = login(commander)
    md = client.get(f"/incidents/{resolved.pk}/report.md?lang=zh-hans").content.decode()
    assert f"| Review twice a year | — | — | 未完成 | 修订 #{revision.pk} |" in md
    page = client.get(f"/incidents/{resolved.pk}/").content.decode()
    assert f'href="/plan/revisions/{revision.pk}/"' in page
