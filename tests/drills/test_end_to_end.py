"""End to end: a drill runs through the real ingestion and paging path, with every part a
process of its own, as in production — and the real metrics do not move.

Layout (why): the worker must see the rows the application writes, so nothing runs against the
test's in-memory database. A web server (`warroom serve`: gunicorn, one worker) and the Huey
consumer (`warroom worker`) run as subprocesses against one database — a fresh SQLite file,
or on PostgreSQL the test database itself (transaction=True, flushed afterwards) — with
WARROOM_BASE_URL pointing at that web server. The application's own steps (set up, start,
acknowledge and finish) run as short processes of tests/drills/drill_side.py against the same
database and queue. The HTTP sink (Apprise json://) listens in this process.

The path: `start` queues one task per inject; the worker posts the alert inject to the web
server's Alertmanager webhook over HTTP (sent_via "http"), which opens a drill incident and
pages the commander and the deputy; the worker sends those pages to the sink. Two seconds in,
the worker files the report inject as the drill's starter. Then the deputy acknowledges, the
commander assesses and finishes the drill, and the score is checked to the point. Every wait
gives up after DEADLINE seconds, and both subprocesses are always stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.notify.conftest import HttpSink, free_port
from tests.subprocesses import database_url, run_side, wait_for

DEADLINE = 30.0
SIDE = Path(__file__).with_name("drill_side.py")


def _wait_for(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    return wait_for(condition, what, deadline, poll=0.1)


def _side(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    return run_side(SIDE, args, env, cwd)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Processes:
    """The subprocesses started by the test, stopped however it ends."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        with log.open("w") as out:
            self.running.append(
                subprocess.Popen(
                    [sys.executable, "-m", "warroom.cli", *args],
                    env=env,
                    cwd=cwd,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.django_db(transaction=True)
def test_a_drill_runs_through_the_real_pipeline_and_leaves_the_real_metrics_alone(
    tmp_path: Path, http_sink: HttpSink, processes: Processes
) -> None:
    db_url, fresh = database_url(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp_path),
            "WARROOM_DATABASE_URL": db_url,
            "WARROOM_SECRET_KEY": "drill-e2e-secret-key-0123456789abcdef",
            "WARROOM_BASE_URL": f"http://127.0.0.1:{port}",
            "WARROOM_WORKER_THREADS": "2",
        }
    )
    if fresh:
        subprocess.run(
            [sys.executable, "-m", "warroom.cli", "migrate", "-v0"],
            env=env,
            cwd=tmp_path,
            check=True,
            timeout=120,
        )
    setup = _side(["setup", http_sink.url("")], env, tmp_path)
    drill, before = str(setup["drill"]), setup["metrics"]

    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    processes.start(
        ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env, tmp_path, web_log
    )
    processes.start(["worker"], env, tmp_path, worker_log)

    def logs() -> str:
        return web_log.read_text() + worker_log.read_text()

    _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), "the web server")
    _wait_for(lambda: "Huey consumer started" in worker_log.read_text(), "the worker")

    _side(["start", drill], env, tmp_path)
    _wait_for(lambda: len(http_sink.received) >= 4, "four drill pages at the sink")
    time.sleep(1.0)  # a doubled page, were there one, would arrive by now
    finished = _side(["finish", f"{drill}@{setup['as_of']}"], env, tmp_path)
    processes.stop()
    after = finished["metrics"]

    # The alert went over HTTP to the webhook; the report was filed; both opened drill incidents.
    assert [(i["kind"], i["sent_via"], i["error"], i["attempts"]) for i in finished["injects"]] == [
        ("alert", "http", "", 1),
        ("report", "report", "", 1),
    ], logs()
    assert [i["is_drill"] for i in finished["incidents"]] == [True, True]
    # gunicorn's access log has the health probes, not the accepted alert (warroom.core.accesslog).
    assert '"GET /healthz' in web_log.read_text(), logs()
    assert "/api/v1/integrations/" not in web_log.read_text(), logs()
    # The pages say they are a drill in their first words, in each person's language.
    assert sorted(http_sink.paths) == ["/chen", "/chen", "/dora", "/dora"], logs()
    for path, page in zip(http_sink.paths, http_sink.received, strict=True):
        prefix = "[DRILL] " if path == "/chen" else "【演练】"
        assert page["title"].startswith(prefix), page
        assert page["message"].startswith(prefix), page
    assert sorted(tuple(d) for d in finished["deliveries"]) == [
        ("chen", "sent", True),
        ("chen", "sent", True),
        ("dora", "sent", True),
        ("dora", "sent", True),
    ]

    # Scored: the deputy acknowledged both in time, the commander assessed the alert's in time
    # and rightly; nothing was mitigated or resolved, the report's incident was not assessed.
    score = finished["score"]
    assert finished["status"] == "finished"
    assert [
        [(m["name"], m["met"], m["by"], m["roles"]) for m in row["milestones"]]
        for row in score["incidents"]
    ] == [
        [
            ("acknowledge", True, "dora", ["deputy"]),
            ("assess", True, "chen", ["commander"]),
            ("mitigate", False, "", []),
            ("resolve", False, "", []),
        ],
        [
            ("acknowledge", True, "dora", ["deputy"]),
            ("assess", False, "", []),
            ("mitigate", False, "", []),
            ("resolve", False, "", []),
        ],
    ]
    assert (score["points"], score["percent"]) == ({"earned": 5, "possible": 12}, 41.7)
    assert score["roles"] == [
        {"role": "commander", "milestones": 1, "met": 1},
        {"role": "deputy", "milestones": 2, "met": 2},
    ]

    # The real metrics are what they were; only the drill's incidents were added.
    assert (before["real_incidents"], before["drill_incidents"]) == (1, 0)
    assert after["drill_incidents"] == 2
    assert {k: v for k, v in after.items() if k != "drill_incidents"} == {
        k: v for k, v in before.items() if k != "drill_incidents"
    }
