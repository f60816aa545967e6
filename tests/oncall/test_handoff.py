"""Handoff notices: the person coming on is told once, in their language, through the real
notification path (a JSON sink on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.notify.conftest import HttpSink
from warroom.notify.models import Delivery
from warroom.oncall import services
from warroom.oncall.models import HandoffNotice, Schedule
from warroom.oncall.tasks import task_send_handoff_notices
from warroom.people.services import set_contact_methods

from .conftest import utc

pytestmark = pytest.mark.django_db

MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Any]
Capture = Any  # pytest-django's django_capture_on_commit_callbacks


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    sink = HttpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def reachable(sink: HttpSink, ann: User, bob: User, cy: User) -> HttpSink:
    for user in (ann, bob, cy):
        set_contact_methods(user, [{"label": "hook", "url": sink.url(f"/{user.username}")}])
    return sink


@pytest.fixture
def primary(make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User) -> Schedule:
    """Shanghai, daily at 09:00 (01:00 UTC) from 27 March 2026: ann, bob, ann, ..."""
    schedule = make_schedule(name="Primary")
    add_layer(schedule, [ann, bob], name="day")
    return schedule


def deliveries() -> list[tuple[str, str, str]]:
    return [
        (d.recipient.username, d.kind, d.subject)
        for d in Delivery.objects.select_related("recipient").order_by("pk")
    ]


def test_handoff_notice_sent_once_in_the_persons_language(
    primary: Schedule, reachable: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_handoff_notices(utc(2026, 3, 28, 1, 0, 30)) == 1
        # The next minute, and a doubled run, find the notice already sent.
        assert services.send_handoff_notices(utc(2026, 3, 28, 1, 1, 30)) == 0
        assert services.send_handoff_notices(utc(2026, 3, 28, 1, 1, 30)) == 0

    assert deliveries() == [("bob", "oncall.handoff", "您已开始值班：Primary")]
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert reachable.paths == ["/bob"]
    body = reachable.received[0]["message"]
    assert body.splitlines()[:2] == [
        "您在“Primary”的值班已经开始。",
        "结束时间：2026-03-29 09:00 CST (Asia/Shanghai)。",
    ]
    assert list(
        HandoffNotice.objects.values_list("user__username", "shift_start", "shift_end")
    ) == [("bob", utc(2026, 3, 28, 1), utc(2026, 3, 29, 1))]


def test_handoff_notice_in_english_across_the_berlin_change(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    schedule = make_schedule(name="EU", time_zone="Europe/Berlin")
    add_layer(schedule, [bob, ann], start=dt.date(2026, 3, 28))
    # ann's shift begins at 09:00 CEST on 29 March (07:00 UTC) and lasts to 09:00 on the 30th.
    assert services.send_handoff_notices(utc(2026, 3, 29, 7, 0)) == 1
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.language, delivery.subject) == (
        ann,
        "en",
        "You are on call: EU",
    )
    assert delivery.body.splitlines()[:2] == [
        "Your on-call shift in “EU” has begun.",
        "It ends 2026-03-30 09:00 CEST (Europe/Berlin).",
    ]
    assert delivery.body.splitlines()[-1].endswith(f"/oncall/{schedule.pk}/")


def test_nothing_before_a_shift_and_nothing_long_after(primary: Schedule) -> None:
    assert services.send_handoff_notices(utc(2026, 3, 28, 0, 59)) == 0
    assert services.send_handoff_notices(utc(2026, 3, 28, 1, 16)) == 0  # past the catch-up
    assert services.send_handoff_notices(utc(2026, 3, 28, 1, 14)) == 1  # a late worker
    assert Delivery.objects.count() == 1


def test_override_notifies_the_cover_and_then_the_person_back_on(
    primary: Schedule, ann: User, bob: User, cy: User
) -> None:
    services.create_override(
        primary, user=cy, starts_at=utc(2026, 3, 28, 3), ends_at=utc(2026, 3, 28, 5), reason="x"
    )
    assert services.send_handoff_notices(utc(2026, 3, 28, 3)) == 1
    assert services.send_handoff_notices(utc(2026, 3, 28, 5)) == 1
    assert [(n.user, n.shift_start, n.shift_end) for n in HandoffNotice.objects.all()] == [
        (bob, utc(2026, 3, 28, 5), utc(2026, 3, 29, 1)),
        (cy, utc(2026, 3, 28, 3), utc(2026, 3, 28, 5)),
    ]
    cover = Delivery.objects.get(recipient=cy)
    assert cover.body.splitlines()[2] == "You cover as an override: x"


def test_no_notice_when_the_same_person_stays_on(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User
) -> None:
    add_layer(make_schedule(name="Solo"), [ann])
    assert services.send_handoff_notices(utc(2026, 3, 27, 1)) == 1  # the first shift
    assert services.send_handoff_notices(utc(2026, 3, 28, 1)) == 0  # ann hands over to ann
    assert Delivery.objects.count() == 1


def test_periodic_task_runs_the_service(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User
) -> None:
    # A layer whose first shift begins this very minute: the task (run now) tells ann.
    schedule = make_schedule(name="Now", time_zone="UTC")
    now = timezone.now()
    add_layer(schedule, [ann], start=now.date(), handoff=dt.time(now.hour, now.minute))
    task_send_handoff_notices.call_local()
    task_send_handoff_notices.call_local()
    assert [n.user for n in HandoffNotice.objects.all()] == [ann]
    assert Delivery.objects.filter(recipient=ann, kind="oncall.handoff").count() == 1
