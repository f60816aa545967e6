"""`warroom status export DIR`: the status page as static files (index.html in the default
language, index.<lang>.html in the others, feed.atom and feed.<lang>.atom, status.css), to
serve from anywhere when the company's own infrastructure is down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.comms.export import ExportError, export_status


class Command(BaseCommand):
    help = "Work with the public status page (export it as static files)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the status page as static files into DIR")
        export.add_argument("dir", metavar="DIR", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = export_status(options["dir"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        for path in written:
            self.stdout.write(str(path))
