from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.incidents.models import Incident, Report
from warroom.incidents.queries import visible_incidents
from warroom.reports.export import FORMATS, export_report


class Command(BaseCommand):
    help = "Post-incident reports: export one as Markdown, HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            default=os.environ.get("WARROOM_USER", ""),
            help="export as this warroom user, who must be allowed to see the incident "
            "(default: $WARROOM_USER; without one, as the server's operator)",
        )
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write an incident's report as a document")
        export.add_argument("id", type=int, help="the incident's number (7 for INC-7)")
        export.add_argument("--format", dest="fmt", choices=FORMATS, default="md")
        export.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans")
        export.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        incidents = Incident.objects.all()
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active user named {options['user']!r}")
            incidents = visible_incidents(user)
        incident = incidents.filter(pk=options["id"]).first()
        if incident is None:
            raise CommandError(f"no incident INC-{options['id']} that you may see")
        report = Report.objects.filter(incident=incident).first()
        if report is None:
            raise CommandError(
                f"{incident.reference} has no report yet: it is drafted when it is resolved"
            )
        report.incident = incident
        result = export_report(report, fmt=options["fmt"], lang=options["lang"])
        output = options["output"]
        if output:
            try:
                Path(output).write_bytes(result.content)
            except OSError as exc:
                raise CommandError(f"{output}: cannot write: {exc}") from exc
            self.stdout.write(f"wrote {output}")
        elif options["fmt"] != "pdf":
            self.stdout.write(result.content.decode(), ending="")
        elif sys.stdout.isatty():
            raise CommandError("a PDF is not for the terminal: give -o FILE")
        else:
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
