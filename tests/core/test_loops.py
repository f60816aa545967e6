"""The worker's loops check their database connection as Django does after a request — after
a failed step at once, otherwise once a second (each check costs PostgreSQL a health-check
round trip on the next query)."""

from __future__ import annotations

import threading
import time

import pytest

from warroom.core import loops


def run_for(seconds: float, step: loops.Loop) -> None:
    stopping = threading.Event()
    thread = loops.LoopThread(step, stopping)
    thread.start()
    time.sleep(seconds)
    stopping.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_an_idle_loop_checks_its_connection_once_a_second_not_every_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks: list[float] = []
    polls: list[float] = []
    monkeypatch.setattr(loops, "close_old_connections", lambda: checks.append(1))
    monkeypatch.setattr(loops, "CONNECTION_CHECK_EVERY", 0.25)
    run_for(0.6, loops.Loop("idle", lambda: polls.append(1) or 0, interval=0.005))
    assert len(polls) > 20
    assert 1 <= len(checks) <= 3


def test_a_failed_step_is_followed_by_a_check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[int] = []
    failures: list[int] = []
    monkeypatch.setattr(loops, "close_old_connections", lambda: checks.append(1))
    monkeypatch.setattr(loops, "ERROR_PAUSE", 0.01)
    monkeypatch.setattr(loops, "CONNECTION_CHECK_EVERY", 3600.0)

    def broken() -> int:
        failures.append(1)
        raise RuntimeError("the database went away")

    run_for(0.2, loops.Loop("broken", broken, interval=0.005))
    assert failures
    assert len(checks) == len(failures)
