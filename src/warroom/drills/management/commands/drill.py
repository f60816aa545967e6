"""`warroom drill list | plan | start ID | finish ID` — thin: the work is in the services."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from warroom.drills import queries, services
from warroom.drills.models import Drill
from warroom.lib.errors import DomainError


def _row(drill: Drill) -> dict[str, Any]:
    return {
        "id": drill.pk,
        "scheduled_for": drill.scheduled_for.isoformat(),
        "status": drill.status,
        "scenario": drill.scenario,
        "title": drill.display_title,
        "percent": drill.percent,
    }


class Command(BaseCommand):
    help = "Drills (plan §6.1): the calendar, planning by the cadence, starting and finishing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            default=os.environ.get("WARROOM_USER", ""),
            help="act as this warroom user (default: $WARROOM_USER); plan, start and finish "
            "need the commander, the deputy or an administrator",
        )
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the calendar, with what is overdue")
        listing.add_argument("--json", action="store_true")
        plan = sub.add_parser("plan", help="put the next drills on the calendar by the cadence")
        plan.add_argument("--from", dest="from_date", help="first day (YYYY-MM-DD)")
        plan.add_argument("--count", type=int, default=4)
        plan.add_argument(
            "--dry-run", action="store_true", help="only show the proposed days and scenarios"
        )
        for name in ("start", "finish"):
            sub.add_parser(name).add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (DomainError, PermissionDenied) as exc:
            field = f"{exc.field}: " if isinstance(exc, DomainError) and exc.field else ""
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            raise CommandError(f"{field}{message}", returncode=1) from exc

    def _actor(self, options: dict[str, Any]) -> User:
        name = options["user"]
        if not name:
            raise CommandError("--user (or WARROOM_USER) is required", returncode=1)
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user named {name!r}", returncode=1)
        return user

    def _drill(self, options: dict[str, Any]) -> Drill:
        drill = Drill.objects.filter(pk=options["id"]).first()
        if drill is None:
            raise CommandError(f"no drill {options['id']}", returncode=1)
        return drill

    def _list(self, options: dict[str, Any]) -> None:
        drills = list(queries.drills().order_by("scheduled_for", "id"))
        overdue = queries.overdue_drills()
        if options["json"]:
            data = {
                "drills": [_row(d) for d in drills],
                "overdue": [
                    {
                        "kind": o.kind,
                        "due": o.due.isoformat(),
                        "days_late": o.days_late,
                        "drill": o.drill.pk if o.drill else None,
                    }
                    for o in overdue
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for o in overdue:
            what = f"DRILL-{o.drill.pk}" if o.drill else "cadence"
            self.stdout.write(f"OVERDUE {what}: due {o.due.isoformat()}, {o.days_late} days late")
        for d in drills:
            score = f"{d.percent} %" if d.percent is not None else "-"
            self.stdout.write(
                f"{d.reference}\t{d.scheduled_for.isoformat()}\t{d.status}\t{score}"
                f"\t{d.display_title}"
            )

    def _plan(self, options: dict[str, Any]) -> None:
        if options["from_date"]:
            try:
                start = dt.date.fromisoformat(options["from_date"])
            except ValueError:
                raise CommandError(
                    f"--from: not a date: {options['from_date']!r}", returncode=1
                ) from None
        else:
            start = max(queries.next_due_date() or timezone.localdate(), timezone.localdate())
        if options["dry_run"]:
            for p in queries.plan_drills(start, options["count"]):
                self.stdout.write(f"{p.scheduled_for.isoformat()}\t{p.scenario.code}")
            return
        made = services.schedule_drills(
            actor=self._actor(options), from_date=start, count=options["count"]
        )
        for drill in made:
            self.stdout.write(
                f"{drill.reference}\t{drill.scheduled_for.isoformat()}\t{drill.scenario}"
            )

    def _start(self, options: dict[str, Any]) -> None:
        drill = services.start_drill(self._drill(options), actor=self._actor(options))
        self.stdout.write(f"{drill.reference}\t{drill.status}\t{drill.injects.count()} injects")

    def _finish(self, options: dict[str, Any]) -> None:
        drill = services.finish_drill(self._drill(options), actor=self._actor(options))
        score = f"{drill.percent} %" if drill.percent is not None else "-"
        self.stdout.write(f"{drill.reference}\t{drill.status}\t{score}")
