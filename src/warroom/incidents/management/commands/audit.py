from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.incidents.models import Incident
from warroom.incidents.timeline import verify_all


class Command(BaseCommand):
    help = "Verify the hash chains of the incident timelines."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="exit 1 naming the first bad entry")
        verify.add_argument("--incident", type=int, help="only this incident (its number)")

    def handle(self, *args: Any, **options: Any) -> None:
        incidents = Incident.objects.order_by("pk")
        if options.get("incident"):
            incidents = incidents.filter(pk=options["incident"])
            if not incidents.exists():
                raise CommandError(f"no incident INC-{options['incident']}")
        problems = verify_all(incidents.iterator())
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(problems)} incident timeline(s) fail verification; first bad entry: "
                f"{problems[0]}",
                returncode=1,
            )
        self.stdout.write(f"{incidents.count()} incident timeline(s) intact")
