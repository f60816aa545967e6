"""Tight loops the worker runs beside the Huey consumer.

Huey's scheduler looks for due tasks once a second, and an idle consumer polls a SQLite queue
with growing pauses; both are fine for reminders and sweeps, but an alert should page within
milliseconds and an escalation step run on its second. So the worker also runs:

- the inbox loop: routes the alerts the web server accepted (`alerts.inbox`), polling every
  3 ms (an indexed read when idle);
- the escalation loop: runs the steps whose `next_step_at` has come (`paging.services`),
  every 100 ms. The step task queued on commit still runs too and finds the step done: both
  go through the same idempotent `run_step`.

And pages queued by code running in the worker are sent by a thread pool in this process
instead of a round trip through the queue (`notify.services.send_in_process`).

Each loop runs one function that returns how much it did: when it did something it runs
again at once, or after a short pause when that was little (the inbox waits 20 ms after a
batch of fewer than 50 requests, so that a trickle is taken in batches), otherwise it sleeps
its interval; after an error it logs and waits a few seconds,
so a broken row cannot turn into a busy loop of tracebacks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

log = logging.getLogger("warroom.worker")

ERROR_PAUSE = 5.0


@dataclass
class Loop:
    name: str
    step: Callable[[], int]
    interval: float  # seconds to sleep when a step found nothing to do
    # Seconds to sleep after a step that did less than `busy_below`. A step has a fixed
    # cost (a transaction, a few queries) besides its per-row cost: after a small batch a
    # short pause lets the next one be bigger, so a trickle of alerts does not keep a CPU
    # busy; after a big batch (a backlog) the next step starts at once; the first alert
    # after a quiet spell always goes at once.
    busy_pause: float = 0.0
    busy_below: int = 0


class LoopThread(threading.Thread):
    def __init__(self, loop: Loop, stopping: threading.Event) -> None:
        super().__init__(name=f"warroom-{loop.name}", daemon=True)
        self.loop = loop
        self.stopping = stopping

    def run(self) -> None:
        while not self.stopping.is_set():
            pause = self.loop.interval
            try:
                done = self.loop.step()
                if done:
                    small = done < self.loop.busy_below
                    pause = self.loop.busy_pause if small else 0.0
            except Exception:
                log.exception("%s loop: step failed", self.loop.name)
                pause = ERROR_PAUSE
            finally:
                # What Django does after each request: drop a connection that broke or aged.
                close_old_connections()
            if pause:
                self.stopping.wait(pause)


def default_loops() -> list[Loop]:
    from warroom.alerts import inbox
    from warroom.paging import services as paging

    return [
        Loop("inbox", inbox.process_pending, interval=0.003, busy_pause=0.02, busy_below=50),
        Loop("escalation", paging.run_due, interval=0.1),
    ]


def start(loops: list[Loop]) -> threading.Event:
    """Start a thread per loop; setting the returned event stops them."""
    stopping = threading.Event()
    for loop in loops:
        LoopThread(loop, stopping).start()
    return stopping
