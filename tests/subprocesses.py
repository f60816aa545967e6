"""Helpers of the tests that run warroom's own processes (web server, worker, a "side"
script that reads and writes the same database): the database they share, wait for a
condition, run a command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

DEADLINE = 30.0


def database_url(tmp_path: Path) -> tuple[str, bool]:
    """The URL for the processes, and whether it is a fresh database still to migrate: a new
    SQLite file (the test database is in memory, out of other processes' reach), or on
    PostgreSQL the test database itself (the test runs with transaction=True, so its rows are
    committed for the processes and flushed afterwards)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}", False
    return f"sqlite:///{tmp_path / 'warroom.sqlite3'}", True


def wait_for(
    condition: Callable[[], Any], what: str, deadline: float = DEADLINE, poll: float = 0.05
) -> Any:
    """Poll `condition` until it returns something true, for at most `deadline` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"gave up after {deadline}s waiting for {what}")


def run_python(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run Python with `args` in a process of its own; asserts it succeeded, returns stdout."""
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_side(script: Path, args: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run `script` with `args` in a process of its own; its last stdout line is JSON."""
    out = run_python([str(script), *args], env, cwd)
    return dict(json.loads(out.strip().splitlines()[-1]))
