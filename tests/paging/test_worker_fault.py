"""Fault test: a page is due, the worker is killed with SIGKILL and restarted; the page is
delivered exactly once. With the queue in SQLite and in Redis (127.0.0.1:6379).

Like tests/notify/test_consumer.py, the worker and the application run as processes of their
own against one database: a fresh SQLite file, or the PostgreSQL test database itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.notify.conftest import HttpSink
from tests.subprocesses import database_url, run_side, wait_for

SIDE = Path(__file__).with_name("paging_side.py")
REDIS_DB = "redis://127.0.0.1:6379/13"


def _side(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    return run_side(SIDE, args, env, cwd)


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: Any) -> Iterator[str]:
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_DB)
        try:
            client.ping()
        except redis.ConnectionError:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip("no Redis on 127.0.0.1:6379")
        client.flushdb()
        yield REDIS_DB
        client.flushdb()
    else:
        yield ""


@pytest.mark.django_db(transaction=True)
def test_due_page_survives_a_killed_worker(tmp_path: Path, http_sink: HttpSink, queue: str) -> None:
    db_url, fresh = database_url(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp_path),
            "WARROOM_DATABASE_URL": db_url,
            "WARROOM_SECRET_KEY": "fault-test-secret-key-0123456789",
            "WARROOM_WORKER_THREADS": "2",
        }
    )
    if queue:
        env["WARROOM_REDIS_URL"] = queue
    if fresh:
        subprocess.run(
            [sys.executable, "-m", "warroom.cli", "migrate", "-v0"],
            env=env,
            cwd=tmp_path,
            check=True,
            timeout=120,
        )
    _side(["setup", http_sink.url("")], env, tmp_path)

    def start_worker(log_path: Path) -> subprocess.Popen[bytes]:
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "warroom.cli", "worker"],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: "Huey consumer started" in log_path.read_text(), "the worker")
        return worker

    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    worker = start_worker(first_log)
    try:
        reported = _side(["report", "10"], env, tmp_path)
        wait_for(lambda: http_sink.paths == ["/chen"], "step 1 at the sink")
        # Kill only once step 1's row says 'sent': a kill between the sink's answer and that
        # write is the (documented) window in which the sweep may send twice — not this test.
        wait_for(
            lambda: (
                _side(["show", str(reported["incident"])], env, tmp_path)["deliveries"]
                == [["chen", "sent", 1]]
            ),
            "step 1 recorded as sent",
        )
        # Step 2 is due in a few seconds and waits in the queue's schedule: kill the worker.
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert time.time() < reported["due"], "the worker must die before the page is due"
        time.sleep(max(0.0, reported["due"] - time.time()) + 1.0)
        assert http_sink.paths == ["/chen"]  # nothing ran while no worker was up
        worker = start_worker(second_log)
        wait_for(lambda: len(http_sink.paths) >= 2, "step 2 at the sink after the restart")
        time.sleep(2.0)  # a doubled page, were there one, would arrive by now
        shown = _side(["show", str(reported["incident"])], env, tmp_path)
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    logs = first_log.read_text() + second_log.read_text()
    assert http_sink.paths == ["/chen", "/dora"], logs
    assert shown["deliveries"] == [["chen", "sent", 1], ["dora", "sent", 1]], logs
    assert (shown["state"], shown["step"], shown["round"]) == ("exhausted", 1, 0)
