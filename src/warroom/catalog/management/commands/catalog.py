from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.exchange.export import export_text
from warroom.exchange.parse import KINDS
from warroom.exchange.services import ImportFailed, import_file
from warroom.lib.progress import NullProgress, Progress, ProgressFactory
from warroom.plan.queries import NoPlanError

# Below this many rows a file imports in a blink; a bar would only flicker.
LARGE_FILE_ROWS = 200


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Import the catalog (systems, risks, people, resources, contacts) from CSV or YAML, "
        "or export it in the same formats."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="create or update records from a file; all or nothing, exit 1 listing problems",
        )
        imp.add_argument("file", help="a .csv, .yaml or .yml file")
        imp.add_argument(
            "--kind",
            choices=KINDS,
            help="what the rows are (CSV: default from the file name, e.g. systems.csv)",
        )
        imp.add_argument(
            "--progress",
            action="store_true",
            help="draw a progress bar on stderr even when it is not a terminal",
        )
        exp = sub.add_parser("export", help="write the catalog in the format import reads")
        exp.add_argument("--kind", choices=KINDS, help="what to export (YAML: all when left out)")
        exp.add_argument("--format", dest="fmt", choices=["csv", "yaml"], default="yaml")
        exp.add_argument("-o", "--output", help="file to write (CSV files get a UTF-8 BOM)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(**options)

    def _progress(self, forced: bool) -> ProgressFactory:
        def write(text: str) -> None:
            self.stderr.write(text, style_func=_plain, ending="")
            self.stderr.flush()

        def make(label: str, total: int) -> NullProgress:
            if forced or (self.stderr.isatty() and total >= LARGE_FILE_ROWS):
                return Progress(write, f"{label:>9}", total)
            return NullProgress()

        return make

    def do_import(self, file: str, kind: str | None, progress: bool, **_: Any) -> None:
        try:
            result = import_file(Path(file), kind=kind, progress=self._progress(progress))
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem.format(file))
            raise CommandError(
                f"{file}: {len(exc.problems)} problem(s); nothing imported", returncode=1
            ) from None
        except NoPlanError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(f"imported {file}")
        for line in result.lines():
            self.stdout.write(f"  {line}")

    def do_export(self, kind: str | None, fmt: str, output: str | None, **_: Any) -> None:
        if fmt == "csv" and kind is None:
            raise CommandError("--kind is required with --format csv", returncode=1)
        text = export_text([kind] if kind else KINDS, fmt)
        if not output:
            self.stdout.write(text, ending="")
            return
        # Excel opens a CSV file as UTF-8 only when it starts with a byte order mark.
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        try:
            Path(output).write_text(text, encoding=encoding)
        except OSError as exc:
            raise CommandError(
                f"{output}: cannot write: {exc.strerror or exc}", returncode=1
            ) from exc
        self.stdout.write(f"wrote {output}")
