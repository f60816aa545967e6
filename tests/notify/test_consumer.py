"""The whole path with a real Huey consumer process: a notification queued by one process is
sent by `warroom worker` to the HTTP sink, exactly once.

The worker must see the rows the application wrote, so both run as processes of their own
against one database and one queue file: a fresh SQLite file (the test database is in memory,
out of other processes' reach), or on PostgreSQL the test database itself (transaction=True,
so the rows are committed for the worker and flushed afterwards).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.notify.conftest import HttpSink
from tests.subprocesses import database_url, run_python, run_side, wait_for

DEADLINE = 20.0  # seconds; each wait below fails the test after this long
WORKER_SIDE = Path(__file__).with_name("worker_side.py")


@pytest.mark.django_db(transaction=True)
def test_real_consumer_sends_a_queued_notification_once(
    tmp_path: Path, http_sink: HttpSink, record_property: Callable[[str, object], None]
) -> None:
    db_url, fresh = database_url(tmp_path)
    # Nothing of the caller's WARROOM_* settings: no shared Redis queue, no immediate mode.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp_path),
            "WARROOM_DATABASE_URL": db_url,
            "WARROOM_SECRET_KEY": "consumer-test-secret-key-0123456789",
            "WARROOM_WORKER_THREADS": "2",
            "WARROOM_LOG_LEVEL": "INFO",
        }
    )
    if fresh:
        run_python(["-m", "warroom.cli", "migrate", "-v0"], env, tmp_path)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "warroom.cli", "worker"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: "Huey consumer started" in log_path.read_text(), "the worker to start", DEADLINE
        )

        queued = run_side(WORKER_SIDE, ["queue", http_sink.url("/page")], env, tmp_path)

        wait_for(lambda: http_sink.received, "the message at the sink", DEADLINE)
        latency = http_sink.times[0] - queued["queued_at"]
        record_property("queue_to_sink_seconds", round(latency, 3))
        print(f"queued → sink through the worker: {latency:.3f} s")

        def row() -> dict[str, Any]:
            return run_side(WORKER_SIDE, ["show", str(queued["id"])], env, tmp_path)

        # The worker records 'sent' just after the sink answered.
        shown = wait_for(
            lambda: (r := row())["status"] == "sent" and r, "the row to be sent", DEADLINE
        )
        time.sleep(1.0)  # a second send, if there were one, would arrive by now
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert worker.returncode is not None
    assert http_sink.paths == ["/page"]
    assert [(p["title"], p["message"]) for p in http_sink.received] == [("Paged", "via the worker")]
    assert shown == {"status": "sent", "attempts": 1}, log_path.read_text()
