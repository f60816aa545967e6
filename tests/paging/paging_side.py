"""The application side of the worker fault test, run as its own process against the same
database and queue as the worker. Each command prints one JSON line.

- `setup SINK_URL`: the default plan, a commander and a deputy paged through the sink.
- `report WAIT_SECONDS`: an incident is reported (step 1 pages the commander) and step 2 (the
  deputy) is made due in WAIT_SECONDS — the short wait stands in for the policy's minutes.
- `show INCIDENT`: the paging row and the deliveries of the incident.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django


def main(command: str, arg: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warroom.settings")
    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from warroom.incidents.services import report_incident
    from warroom.notify.models import Delivery
    from warroom.paging import services
    from warroom.paging.models import Paging
    from warroom.people.models import TeamRole
    from warroom.people.services import add_team_member, create_person
    from warroom.plan.services import apply_plan

    if command == "setup":
        apply_plan(settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8"))
        for username, role in (("chen", "commander"), ("dora", "deputy")):
            person = create_person(
                username=username,
                language="en",
                contact_methods=[{"label": "hook", "url": f"{arg}/{username}"}],
            )
            add_team_member(TeamRole.objects.get(code=role), person)
        services.save_policy(
            None,
            name="two steps",
            repeat=0,
            is_default=True,
            steps=[
                {"wait_minutes": 1, "targets": [{"type": "role", "role": "commander"}]},
                {"wait_minutes": 1, "targets": [{"type": "role", "role": "deputy"}]},
            ],
        )
        print(json.dumps({"ok": True}))
    elif command == "report":
        with transaction.atomic():
            incident = report_incident(reporter=None, title="Worker fault drill")
            paging = Paging.objects.get(incident=incident)
            due = timezone.now() + dt.timedelta(seconds=float(arg))
            Paging.objects.filter(pk=paging.pk).update(next_step_at=due)
            transaction.on_commit(
                lambda: services._schedule(paging.pk, paging.step, paging.round, due)
            )
        print(json.dumps({"incident": incident.pk, "due": due.timestamp()}))
    elif command == "show":
        paging = Paging.objects.get(incident_id=int(arg))
        rows = list(
            Delivery.objects.filter(incident_id=int(arg))
            .order_by("pk")
            .values_list("recipient__username", "status", "attempts")
        )
        print(
            json.dumps(
                {
                    "state": paging.state,
                    "step": paging.step,
                    "round": paging.round,
                    "deliveries": rows,
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
