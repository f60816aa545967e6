"""The application side of the end-to-end drill test, run as its own process against the same
database and queue as the web server and the worker. Each command prints one JSON line.

- `setup SINK_URL`: the default plan; one real incident (reported before anyone is on the team,
  so it pages nobody); the commander chen (English) and the deputy dora (Chinese), each paged
  through the sink at SINK_URL/<name>; a planned database-crash drill with its default alert
  inject at 0 s and a report inject at 2 s. Prints the drill and the metrics before it.
- `start DRILL`: chen starts the drill.
- `finish DRILL`: prints the injects, the drill's incidents and their deliveries as they are;
  then dora acknowledges every drill incident, chen assesses the alert's incident (high,
  system failure) and finishes the drill; prints the score and the metrics after it.

The metrics are what the real metrics count: real incidents and deliveries, and the evaluation
app's overall row for this month when that app is installed — as of the setup's time, so that
both readings look at the same moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
import os
import sys
from typing import Any

import django


def main(command: str, arg: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warroom.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from warroom.drills import services
    from warroom.drills.models import Drill
    from warroom.incidents import services as incidents
    from warroom.incidents.models import Incident
    from warroom.notify.models import Delivery
    from warroom.people.models import TeamRole
    from warroom.people.services import add_team_member, create_person
    from warroom.plan.services import apply_plan

    def metrics(now: dt.datetime) -> dict[str, Any]:
        found: dict[str, Any] = {
            "real_incidents": Incident.objects.filter(is_drill=False).count(),
            "real_deliveries": Delivery.objects.filter(drill=False).count(),
            "drill_incidents": Incident.objects.filter(is_drill=True).count(),
        }
        if importlib.util.find_spec("warroom.evaluation") is not None:
            from warroom.evaluation.periods import this_month
            from warroom.evaluation.queries import overall

            row = overall(this_month(), now=now)
            found["evaluation"] = json.loads(json.dumps(dataclasses.asdict(row), default=str))
        return found

    out: dict[str, Any] = {}
    if command == "setup":
        apply_plan(settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8"))
        real = incidents.report_incident(reporter=None, title="A real incident")
        people = {}
        for username, role, language in (
            ("chen", "commander", "en"),
            ("dora", "deputy", "zh-hans"),
        ):
            person = create_person(
                username=username,
                language=language,
                contact_methods=[{"label": "hook", "url": f"{arg}/{username}"}],
            )
            add_team_member(TeamRole.objects.get(code=role), person)
            people[username] = person
        drill = services.create_drill(
            actor=people["chen"], scenario="db_crash_drill", scheduled_for=dt.date.today()
        )
        services.add_inject(
            drill,
            actor=people["chen"],
            kind="report",
            offset_seconds=2,
            title="Users cannot save orders",
            category="system_failure",
            level="high",
        )
        as_of = timezone.now()
        out = {
            "drill": drill.pk,
            "real_incident": real.pk,
            "as_of": as_of.isoformat(),
            "metrics": metrics(as_of),
        }
    elif command == "start":
        drill = services.start_drill(
            Drill.objects.get(pk=int(arg)), actor=User.objects.get(username="chen")
        )
        out = {"status": drill.status}
    elif command == "finish":
        drill_id, as_of = arg.split("@", 1)
        drill = Drill.objects.get(pk=int(drill_id))
        injects = list(
            drill.injects.order_by("offset_seconds").values(
                "kind", "sent_via", "incident_id", "error", "attempts"
            )
        )
        ids = [i["incident_id"] for i in injects if i["incident_id"]]
        out["injects"] = injects
        out["incidents"] = list(
            Incident.objects.filter(pk__in=ids).order_by("pk").values("pk", "is_drill")
        )
        out["deliveries"] = list(
            Delivery.objects.filter(incident_id__in=ids)
            .order_by("pk")
            .values_list("recipient__username", "status", "drill")
        )
        chen, dora = User.objects.get(username="chen"), User.objects.get(username="dora")
        for incident in Incident.objects.filter(pk__in=ids):
            incidents.acknowledge_incident(incident, actor=dora)
        incidents.assess_incident(
            Incident.objects.get(pk=drill.injects.get(kind="alert").incident_id),
            actor=chen,
            level="high",
            category="system_failure",
        )
        drill = services.finish_drill(drill, actor=chen)
        out.update(
            status=drill.status,
            score=drill.score,
            metrics=metrics(dt.datetime.fromisoformat(as_of)),
        )
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
