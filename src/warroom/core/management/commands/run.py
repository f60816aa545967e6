from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server and the worker together until Ctrl-C (what `make run` uses)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        serve = [sys.executable, "-m", "warroom.cli", "serve"]
        if options["bind"]:
            serve += ["--bind", options["bind"]]
        children = [
            subprocess.Popen(serve),
            subprocess.Popen([sys.executable, "-m", "warroom.cli", "worker"]),
        ]

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            # When either process ends, stop the other: half a service is worse than none.
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
