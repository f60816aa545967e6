from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.lib.env import env_int


class Command(BaseCommand):
    help = "Serve the web UI and the API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("WARROOM_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=env_int("WARROOM_WEB_WORKERS", 2))
        parser.add_argument("--threads", type=int, default=env_int("WARROOM_WEB_THREADS", 4))

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment")
        argv = [
            gunicorn,
            "warroom.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            # Threads: a slow request (a PDF export) does not hold up the others, and
            # connections are kept alive, which monitoring senders and browsers reuse.
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            # Accepted alerts are recorded in the database, not line by line (see there).
            "--logger-class",
            "warroom.core.accesslog.AccessLog",
            "--forwarded-allow-ips",
            os.environ.get("WARROOM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.execv(gunicorn, argv)
