from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from warroom import exchange
from warroom.exchange.services import ImportFailed, import_file
from warroom.plan.queries import NoPlanError

# Loaded through the catalog importer, so the demo also shows a complete catalog file.
DEMO_FILE = Path(exchange.__file__).with_name("demo_company.yaml")


class Command(BaseCommand):
    help = (
        "Load a sample company: systems and their dependencies, risks, people of every "
        "department with contact methods, a full emergency team, inventory and outside "
        "contacts. Running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_file(DEMO_FILE)
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem.format(str(DEMO_FILE)))
            raise CommandError("the demo file has problems; nothing loaded", returncode=1) from None
        except NoPlanError:
            raise CommandError(
                "no plan has been applied; run `warroom setup` first", returncode=1
            ) from None
        if not result.changed:
            self.stdout.write("demo company already loaded; nothing changed")
            return
        self.stdout.write("loaded the demo company")
        for line in result.lines():
            self.stdout.write(f"  {line}")
