"""iCalendar feeds: they parse with the icalendar library, hold one event per final shift in
UTC with stable UIDs, need no sign-in, and answer 404 to an unknown or rotated token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from warroom.oncall import feeds, services
from warroom.oncall.models import Schedule

from .conftest import utc

pytestmark = pytest.mark.django_db

MakeSchedule = Callable[..., Schedule]
AddLayer = Callable[..., Any]
FETCHED = utc(2026, 3, 25, 12)  # window: 18 March 00:00 UTC to 17 June 00:00 UTC


@pytest.fixture
def berlin(
    make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, bob: User, cy: User
) -> Schedule:
    schedule = make_schedule(name="EU", time_zone="Europe/Berlin")
    add_layer(schedule, [ann, bob], name="day", start=dt.date(2026, 3, 27))
    services.create_override(
        schedule, user=cy, starts_at=utc(2026, 3, 29, 10), ends_at=utc(2026, 3, 29, 12)
    )
    return schedule


def events(body: bytes) -> list[Any]:
    calendar = Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def row(event: Any) -> tuple[str, dt.datetime, dt.datetime]:
    return (str(event["SUMMARY"]), event.decoded("DTSTART"), event.decoded("DTEND"))


def test_schedule_feed_has_one_event_per_shift_in_utc(berlin: Schedule) -> None:
    body = feeds.schedule_calendar(berlin, now=FETCHED)
    assert b"DTSTART:20260328T080000Z" in body  # UTC, not a local time with TZID
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "On call: EU"
    found = events(body)
    # 82 daily shifts from 27 March to 16 June, one of them cut in two by cy's override.
    assert len(found) == 84
    assert [row(e) for e in found[:5]] == [
        ("On call: Ann (EU)", utc(2026, 3, 27, 8), utc(2026, 3, 28, 8)),
        ("On call: Bob (EU)", utc(2026, 3, 28, 8), utc(2026, 3, 29, 7)),  # 23 h
        ("On call: Ann (EU)", utc(2026, 3, 29, 7), utc(2026, 3, 29, 10)),
        ("On call: Cy (EU)", utc(2026, 3, 29, 10), utc(2026, 3, 29, 12)),
        ("On call: Ann (EU)", utc(2026, 3, 29, 12), utc(2026, 3, 30, 7)),
    ]
    assert row(found[-1]) == ("On call: Bob (EU)", utc(2026, 6, 16, 7), utc(2026, 6, 17))
    assert str(found[3]["DESCRIPTION"]) == "Override: —"
    assert str(found[0]["DESCRIPTION"]) == "Layer: day"
    assert len({str(e["UID"]) for e in found}) == 84


def test_uids_stay_the_same_on_the_next_fetch(berlin: Schedule) -> None:
    today = {str(e["UID"]): row(e) for e in events(feeds.schedule_calendar(berlin, now=FETCHED))}
    later = feeds.schedule_calendar(berlin, now=FETCHED + dt.timedelta(days=3))
    tomorrow = {str(e["UID"]): row(e) for e in events(later)}
    shared = set(today) & set(tomorrow)
    assert len(shared) == 84  # nothing fell out of the past week yet; three more days ahead
    assert all(today[uid][1] == tomorrow[uid][1] for uid in shared)


def test_person_feed_holds_their_shifts_in_every_schedule(
    berlin: Schedule, make_schedule: MakeSchedule, add_layer: AddLayer, ann: User, cy: User
) -> None:
    other = make_schedule(name="Nights")
    add_layer(other, [cy], start=dt.date(2026, 4, 1), handoff=dt.time(20, 0))
    found = events(feeds.person_calendar(services.person_feed(cy), now=FETCHED))
    assert [row(e) for e in found[:3]] == [
        ("On call: EU", utc(2026, 3, 29, 10), utc(2026, 3, 29, 12)),
        ("On call: Nights", utc(2026, 4, 1, 12), utc(2026, 4, 2, 12)),
        ("On call: Nights", utc(2026, 4, 2, 12), utc(2026, 4, 3, 12)),
    ]


def test_feeds_work_without_signing_in(berlin: Schedule, cy: User) -> None:
    anonymous = Client()
    response = anonymous.get(reverse("oncall:feed-schedule", args=[berlin.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    # The window follows the real clock here, so only its shape is checked.
    found = events(response.content)
    assert found and all(e.decoded("DTEND") > timezone.now() - dt.timedelta(days=8) for e in found)

    mine = anonymous.get(reverse("oncall:feed-person", args=[services.person_feed(cy).token]))
    assert mine.status_code == 200
    Calendar.from_ical(mine.content)


def test_person_feed_is_in_the_persons_language(berlin: Schedule, bob: User) -> None:
    response = Client().get(reverse("oncall:feed-person", args=[services.person_feed(bob).token]))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "我的值班（Bob）"


def test_unknown_or_rotated_token_is_404(berlin: Schedule, ann: User) -> None:
    anonymous = Client()
    assert anonymous.get("/oncall/feeds/schedule/nope.ics").status_code == 404
    assert anonymous.get("/oncall/feeds/person/nope.ics").status_code == 404
    old = reverse("oncall:feed-schedule", args=[berlin.feed_token])
    services.rotate_schedule_feed(berlin)
    assert anonymous.get(old).status_code == 404
    assert (
        anonymous.get(reverse("oncall:feed-schedule", args=[berlin.feed_token])).status_code == 200
    )
    person_old = reverse("oncall:feed-person", args=[services.person_feed(ann).token])
    services.rotate_person_feed(ann)
    assert anonymous.get(person_old).status_code == 404


def test_feeds_refuse_writes(berlin: Schedule) -> None:
    url = reverse("oncall:feed-schedule", args=[berlin.feed_token])
    assert Client().post(url).status_code == 405


def test_other_oncall_pages_still_need_signing_in(berlin: Schedule) -> None:
    response = Client().get(reverse("oncall:schedule", args=[berlin.pk]))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
