from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.plan import queries
from warroom.plan.export import render_plan
from warroom.plan.models import PlanVersion
from warroom.plan.services import PlanInvalid, apply_plan, diff_versions
from warroom.plan.validation import validate_text


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read: {exc}") from exc


def _version(number: int | None) -> PlanVersion:
    try:
        return queries.version(number) if number else queries.current_version()
    except PlanVersion.DoesNotExist as exc:
        raise CommandError(f"no plan version {number}") from exc
    except queries.NoPlanError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "Validate, apply, compare, show and export the emergency plan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="check a plan file; exit 1 listing problems")
        validate.add_argument("file")
        apply = sub.add_parser("apply", help="validate and store a plan file as a new version")
        apply.add_argument("file")
        apply.add_argument("--author", help="username recorded as the author")
        apply.add_argument("--comment", default="")
        diff = sub.add_parser("diff", help="changes between two versions (default: last change)")
        diff.add_argument("v1", nargs="?", type=int)
        diff.add_argument("v2", nargs="?", type=int)
        show = sub.add_parser("show", help="print a stored version (default: the plan in force)")
        show.add_argument("--version", dest="number", type=int)
        export = sub.add_parser("export", help="the plan as a readable document")
        export.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans")
        export.add_argument("--format", dest="fmt", choices=["md", "html"], default="md")
        export.add_argument("--version", dest="number", type=int)
        export.add_argument("-o", "--output")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(**options)

    def _fail_with(self, filename: str, problems: list[Any]) -> None:
        for problem in problems:
            self.stderr.write(problem.format(filename))
        raise CommandError(f"{filename}: {len(problems)} problem(s)", returncode=1)

    def do_validate(self, file: str, **_: Any) -> None:
        plan, problems = validate_text(_read(file))
        if problems or plan is None:
            self._fail_with(file, problems)
        self.stdout.write(f"{file}: valid")

    def do_apply(self, file: str, author: str | None, comment: str, **_: Any) -> None:
        user = None
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"--author: no user named {author!r}")
        try:
            result = apply_plan(_read(file), author=user, comment=comment)
        except PlanInvalid as exc:
            self._fail_with(file, exc.problems)
            return
        version = result.version
        if result.created:
            self.stdout.write(f"applied {file} as plan v{version.number} (sha256 {version.sha256})")
        else:
            self.stdout.write(f"unchanged: {file} is plan v{version.number} already")

    def do_diff(self, v1: int | None, v2: int | None, **_: Any) -> None:
        new = _version(v2)
        if v1 is None:
            old = PlanVersion.objects.filter(number__lt=new.number).order_by("-number").first()
        else:
            old = _version(v1)
        text = diff_versions(old, new)
        self.stdout.write(text or "no differences", ending="" if text else "\n")

    def do_show(self, number: int | None, **_: Any) -> None:
        version = _version(number)
        author = version.author.get_username() if version.author else "-"
        self.stdout.write(
            f"# plan v{version.number} applied {version.created_at.isoformat()} by {author}\n"
            f"# sha256 {version.sha256}\n"
        )
        self.stdout.write(version.canonical_yaml, ending="")

    def do_export(
        self, lang: str, fmt: str, number: int | None, output: str | None, **_: Any
    ) -> None:
        text = render_plan(_version(number), lang=lang, fmt=fmt)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{output}: cannot write: {exc}") from exc
            self.stdout.write(f"wrote {output}")
        else:
            sys.stdout.write(text)
