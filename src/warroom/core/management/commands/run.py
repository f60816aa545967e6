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

        # Handle SIGINT ourselves too: started in the background it would otherwise be ignored.
        stopping = False

        def on_signal(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            # When either process ends, stop the other: half a service is worse than none.
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
