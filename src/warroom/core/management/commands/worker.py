from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (the Huey consumer: timers, notifications, sweeps)."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = "Redis" if "url" in settings.HUEY else f"SQLite ({settings.HUEY['filename']})"
        self.stdout.write(f"warroom worker: queue on {backend}")
        call_command("run_huey")
