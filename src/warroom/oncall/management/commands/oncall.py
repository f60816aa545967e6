from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.oncall import queries
from warroom.oncall.models import Schedule


def _names(users: list[Any]) -> list[str]:
    return [u.get_username() for u in users]


def _local(moment: dt.datetime, schedule: Schedule) -> str:
    local = moment.astimezone(schedule.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


class Command(BaseCommand):
    help = "Who is on call: now or at a given time, in every schedule or one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        now = sub.add_parser("now", help="one line per schedule: name, people on call, until when")
        now.add_argument("--schedule", help="only this schedule (by name)")
        now.add_argument(
            "--at",
            help="an ISO time such as 2026-03-29T09:00+02:00 (no offset: the server's zone)",
        )
        now.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self._now(options)

    def _now(self, options: dict[str, Any]) -> None:
        at = None
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    f"--at: not an ISO time: {options['at']!r}", returncode=1
                ) from None
        schedules = Schedule.objects.all()
        if options["schedule"]:
            schedules = schedules.filter(name=options["schedule"])
            if not schedules.exists():
                raise CommandError(
                    f"--schedule: no schedule named {options['schedule']!r}", returncode=1
                )
        rows = queries.on_call_now_everywhere(at, schedules)
        if options["json"]:
            data = [
                {
                    "schedule": row.schedule.name,
                    "time_zone": row.schedule.time_zone,
                    "at": row.at.isoformat(),
                    "on_call": _names(row.users),
                    "until": row.until.isoformat() if row.until else None,
                    "next": _names(row.next_users),
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for row in rows:
            people = ", ".join(_names(row.users)) or "(nobody)"
            if row.until is None:
                until = f"no change within {queries.HORIZON.days} days"
            else:
                until = f"until {_local(row.until, row.schedule)}"
            self.stdout.write(f"{row.schedule.name}: {people} {until}")
