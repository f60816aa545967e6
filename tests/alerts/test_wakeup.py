"""The web server's nudge to the worker's inbox loop: a real Unix socket in a temporary
WARROOM_VAR_DIR, the loop in a thread as the worker runs it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from warroom.alerts import wakeup
from warroom.core.loops import Loop, LoopThread


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(VAR_DIR=tmp_path):
        yield tmp_path


def test_a_nudge_ends_the_wait_at_once(var_dir: Path) -> None:
    listener = wakeup.listen()
    assert listener is not None
    try:
        threading.Timer(0.05, wakeup.nudge).start()
        started = time.monotonic()
        listener.wait(5.0)
        assert time.monotonic() - started < 2.0  # the nudge, not the 5 s timeout
        # The nudges that piled up are taken with it: the next wait sleeps its full timeout.
        for _ in range(3):
            wakeup.nudge()
        listener.wait(5.0)
        started = time.monotonic()
        listener.wait(0.2)
        assert time.monotonic() - started >= 0.15
    finally:
        listener.close()
    assert not (var_dir / wakeup.SOCKET_NAME).exists()


def test_without_a_listener_a_nudge_does_nothing(var_dir: Path) -> None:
    wakeup.nudge()  # no socket: nothing raised, nothing created
    assert not (var_dir / wakeup.SOCKET_NAME).exists()


def test_one_worker_listens_and_a_killed_ones_socket_is_taken_over(var_dir: Path) -> None:
    first = wakeup.listen()
    assert first is not None
    assert wakeup.listen() is None  # a second worker on this machine only polls
    # A worker killed with SIGKILL leaves its socket file behind, with nobody reading it.
    first.sock.close()
    second = wakeup.listen()
    assert second is not None
    second.close()


def test_a_path_too_long_for_a_socket_turns_nudges_off(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    with override_settings(VAR_DIR=deep):
        assert wakeup.listen() is None
        wakeup.nudge()


def test_the_idle_loop_runs_at_once_when_nudged(var_dir: Path) -> None:
    listener = wakeup.listen()
    assert listener is not None
    runs: list[float] = []
    stopping = threading.Event()
    # A long interval: only a nudge can make the loop run again soon.
    loop = Loop(
        "test",
        lambda: runs.append(time.monotonic()) or 0,
        interval=30.0,
        wake=listener.wait,
        close=listener.close,
    )
    thread = LoopThread(loop, stopping)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not runs and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(runs) == 1
        wakeup.nudge()
        while len(runs) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(runs) == 2
    finally:
        stopping.set()
        wakeup.nudge()  # end the wait now rather than after the interval
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert not (var_dir / wakeup.SOCKET_NAME).exists()  # the loop closed its socket
