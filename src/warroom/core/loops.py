"""Tight loops the worker runs beside the Huey consumer.

Huey's scheduler looks for due tasks once a second, and an idle consumer polls a SQLite queue
with growing pauses; both are fine for reminders and sweeps, but an alert should page within
milliseconds and an escalation step run on its second. So the worker also runs:

- the inbox loop: routes the alerts the web server accepted (`alerts.inbox`), polling every
  3 ms (an indexed read when idle) — and woken at once by the web server's nudge
  (`alerts.wakeup`) when the request came in on this machine;
- the escalation loop: runs the steps whose `next_step_at` has come (`paging.services`),
  every 100 ms. Steps scheduled in the worker get no queue task (`steps_run_here`); one
  scheduled elsewhere (the web) has its task too, which finds the step done: both go through
  the same idempotent `run_step`.

And pages queued by code running in the worker are sent by a thread pool in this process
instead of a round trip through the queue (`notify.services.send_in_process`).

Each loop runs one function that returns how much it did: when it did something it runs
again at once, or after a short pause when that was little (the inbox waits 20 ms after a
batch of fewer than 50 requests, so that a trickle is taken in batches), otherwise it sleeps
its interval; after an error it logs and waits a few seconds,
so a broken row cannot turn into a busy loop of tracebacks. The database connection is
checked (dropped if broken or aged, as Django does after a request) after an error at once,
otherwise once a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connections

log = logging.getLogger("warroom.worker")

ERROR_PAUSE = 5.0
# How often a loop checks its database connection when its steps succeed. Each check makes
# the next query run a health check first (CONN_HEALTH_CHECKS: a `SELECT 1` round trip on
# PostgreSQL); after every 3 ms idle poll that doubled an idle worker's queries. A step that
# fails is followed by a check at once, which drops a broken connection.
CONNECTION_CHECK_EVERY = 1.0


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
    # Waits instead of sleeping `interval` when idle, returning early when there may be work
    # (the inbox's nudge socket); never during a busy pause, which is there to batch.
    wake: Callable[[float], None] | None = None
    close: Callable[[], None] | None = None


class LoopThread(threading.Thread):
    def __init__(self, loop: Loop, stopping: threading.Event) -> None:
        super().__init__(name=f"warroom-{loop.name}", daemon=True)
        self.loop = loop
        self.stopping = stopping

    def run(self) -> None:
        try:
            self._run()
        finally:
            if self.loop.close is not None:
                self.loop.close()
            # This thread's database connections end with it (its steps keep theirs open
            # between connection checks).
            connections.close_all()

    def _run(self) -> None:
        checked = time.monotonic()
        while not self.stopping.is_set():
            pause, idle, failed = self.loop.interval, True, True
            try:
                done = self.loop.step()
                failed = False
                if done:
                    small = done < self.loop.busy_below
                    pause, idle = (self.loop.busy_pause if small else 0.0), False
            except Exception:
                log.exception("%s loop: step failed", self.loop.name)
                pause, idle = ERROR_PAUSE, False
            finally:
                # What Django does after each request: drop a connection that broke or aged —
                # after a failure at once, otherwise once a CONNECTION_CHECK_EVERY.
                now = time.monotonic()
                if failed or now - checked >= CONNECTION_CHECK_EVERY:
                    close_old_connections()
                    checked = now
            if pause and idle and self.loop.wake is not None:
                try:
                    self.loop.wake(pause)
                    continue
                except Exception:  # a broken socket must not end the loop: sleep instead
                    log.exception("%s loop: waiting for a nudge failed", self.loop.name)
            if pause:
                self.stopping.wait(pause)


def default_loops() -> list[Loop]:
    from warroom.alerts import inbox, wakeup
    from warroom.paging import services as paging

    nudges = wakeup.listen()
    return [
        Loop(
            "inbox",
            inbox.process_pending,
            interval=0.003,
            busy_pause=0.02,
            busy_below=50,
            wake=nudges.wait if nudges else None,
            close=nudges.close if nudges else None,
        ),
        Loop("escalation", paging.run_due, interval=0.1),
    ]


class Running:
    """The threads `start` started."""

    def __init__(self, threads: list[LoopThread], stopping: threading.Event) -> None:
        self.threads, self.stopping = threads, stopping

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every loop after its current step (each then closes what it opened: the
        inbox's nudge socket); waits at most `timeout` seconds in all."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def start(loops: list[Loop]) -> Running:
    """Start a thread per loop."""
    stopping = threading.Event()
    threads = [LoopThread(loop, stopping) for loop in loops]
    for thread in threads:
        thread.start()
    return Running(threads, stopping)
