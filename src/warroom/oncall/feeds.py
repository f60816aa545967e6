"""iCalendar feeds of the final shifts: one per schedule, one per person (all their schedules).

A feed covers the past week and the next FEED_WEEKS weeks. Each shift is one VEVENT with times
in UTC and a UID made of schedule, person and start, so a calendar app that refreshes the feed
updates an event in place instead of duplicating it. To keep that UID stable, a shift running
at the window's start keeps its real start (see `queries.whole_shifts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from warroom.oncall import queries
from warroom.oncall.models import PersonFeed, Schedule
from warroom.people.forms import display_name

FEED_WEEKS = 12
FEED_PAST = dt.timedelta(days=7)


def feed_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a feed fetched at `now`: from midnight UTC a week ago."""
    now = queries.aware(now).astimezone(dt.UTC)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - FEED_PAST
    return start, start + FEED_PAST + dt.timedelta(weeks=FEED_WEEKS)


def schedule_shifts(schedule: Schedule, now: dt.datetime | None = None) -> list[queries.Shift]:
    return queries.whole_shifts(schedule, *feed_window(now))


def person_shifts(feed: PersonFeed, now: dt.datetime | None = None) -> list[queries.Shift]:
    start, end = feed_window(now)
    mine = queries.person_shifts(feed.user, start - queries.HORIZON, end)
    return [s for s in mine if s.end > start]


def _calendar(name: str, shifts: Sequence[queries.Shift], *, with_person: bool) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//warroom//on-call//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "warroom"
    for shift in shifts:
        event = Event()
        event.add("uid", f"{shift.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start.astimezone(dt.UTC))
        event.add("dtend", shift.end.astimezone(dt.UTC))
        if with_person:
            summary = gettext("On call: %(person)s (%(schedule)s)") % {
                "person": display_name(shift.user),
                "schedule": shift.schedule.name,
            }
        else:
            summary = gettext("On call: %(schedule)s") % {"schedule": shift.schedule.name}
        event.add("summary", summary)
        if shift.source == "override":
            description = gettext("Override: %(reason)s") % {"reason": shift.label or "—"}
        else:
            description = gettext("Layer: %(layer)s") % {"layer": shift.label}
        event.add("description", description)
        event.add("url", settings.BASE_URL + reverse("oncall:schedule", args=[shift.schedule.pk]))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def schedule_calendar(schedule: Schedule, now: dt.datetime | None = None) -> bytes:
    """The schedule's final shifts as an iCalendar document, one event per shift."""
    name = gettext("On call: %(schedule)s") % {"schedule": schedule.name}
    return _calendar(name, schedule_shifts(schedule, now), with_person=True)


def person_calendar(feed: PersonFeed, now: dt.datetime | None = None) -> bytes:
    """The person's shifts across every schedule as an iCalendar document."""
    name = gettext("My on-call shifts (%(person)s)") % {"person": display_name(feed.user)}
    return _calendar(name, person_shifts(feed, now), with_person=False)
