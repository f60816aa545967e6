"""Helpers of the tests that run warroom's own processes (web server, worker, a "side"
script that reads and writes the same database): wait for a condition, run a side command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEADLINE = 30.0


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


def run_side(script: Path, args: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run `script` with `args` in a process of its own; its last stdout line is JSON."""
    done = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
