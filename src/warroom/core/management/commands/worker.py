from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (the Huey consumer: timers, notifications, sweeps)."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = "Redis" if "url" in settings.HUEY else f"SQLite ({settings.HUEY['filename']})"
        self.stdout.write(f"warroom worker: queue on {backend}")
        # The consumer gives the "huey" logger a handler of its own; without this every line
        # would also reach the root handler and be printed twice.
        logging.getLogger("huey").propagate = False
        call_command("run_huey")
