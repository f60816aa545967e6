"""An alert inject goes over HTTP to the real webhook of a live warroom, and the page reaches a
real HTTP sink marked as a drill.

Layout: a live server (pytest-django's, in a thread) answers the webhook at BASE_URL, and Huey
runs in immediate mode, so the inject's send task runs in the test's thread as the start of the
drill commits, and the page's send task in the live server's thread as the webhook commits —
the code a worker runs, without a worker process (test_end_to_end.py has the real worker).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.drills.conftest import MakeDrill
from tests.notify.conftest import HttpSink
from warroom.drills import services
from warroom.drills.models import Inject
from warroom.incidents.models import Incident


@pytest.mark.django_db(transaction=True)
def test_an_alert_inject_is_posted_to_the_live_webhook_and_pages_as_a_drill(
    live_server: Any,
    settings: Any,
    paged_commander: User,
    make_drill: MakeDrill,
    http_sink: HttpSink,
) -> None:
    settings.BASE_URL = live_server.url
    drill = make_drill(paged_commander)

    services.start_drill(drill, actor=paged_commander)

    [inject] = Inject.objects.filter(drill=drill)
    assert (inject.sent_via, inject.error, inject.attempts) == ("http", "", 1)
    incident = inject.incident
    assert incident is not None and incident.is_drill
    assert incident.source == "alert:alertmanager"
    assert Incident.objects.filter(is_drill=False).count() == 0
    [page] = http_sink.received
    assert http_sink.paths == ["/chen"]
    assert page["title"].startswith("[DRILL] ")
    assert page["message"].startswith("[DRILL] ")
    assert "Database crash drill" in page["title"]
