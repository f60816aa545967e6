from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from warroom.core import loops
from warroom.notify import services as notify
from warroom.paging import services as paging
from warroom.plan.queries import NoPlanError, current_plan

log = logging.getLogger("warroom.worker")


def _warm_up() -> None:
    """Do now what the first alert after a start would otherwise wait for (a few tenths of a
    second in all): load Apprise's plugins and parse the plan in force."""
    try:
        notify.load_channels()
        current_plan()
    except NoPlanError:
        pass  # no plan yet: the inbox loop waits for one
    except Exception:
        # Only an optimisation: whatever failed here fails again where it matters (routing,
        # sending) and is handled there; the worker must start all the same.
        log.warning("worker warm-up failed; the first alert will load what it needs", exc_info=True)
    finally:
        connections.close_all()  # this thread's: the loops and the consumer open their own


class Command(BaseCommand):
    help = (
        "Run the background worker: the inbox and escalation loops, and the Huey consumer "
        "(timers, notifications, sweeps)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = "Redis" if "url" in settings.HUEY else f"SQLite ({settings.HUEY['filename']})"
        self.stdout.write(f"warroom worker: queue on {backend}")
        # The consumer gives the "huey" logger a handler of its own; without this every line
        # would also reach the root handler and be printed twice.
        logging.getLogger("huey").propagate = False
        threads = settings.HUEY["consumer"]["workers"]
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="warroom-send")
        notify.send_in_process(pool)
        _warm_up()
        running = loops.start(loops.default_loops())
        paging.steps_run_here(True)
        try:
            call_command("run_huey")
        finally:
            running.stop()
            paging.steps_run_here(False)
            notify.send_in_process(None)
            pool.shutdown(wait=True, cancel_futures=False)
