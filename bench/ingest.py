"""Benchmarks (a)-(c) of issue 4: warroom's inbound alert endpoints, and alert → page latency,
each measured side by side with Debian's Alertmanager on the same machine.

    .venv/bin/python bench/ingest.py
        [--database postgres://postgres@127.0.0.1:5432/warroom_bench_ingest]
        [--redis redis://127.0.0.1:6379/14] [--workers 2] [--duration 10] [--connections 8]
        [--probes 50] [--storm-rate 1000] [--storm-seconds 10] [--only abc] [--quiet-wait 0]
        [--keep DIR]

What runs, all on 127.0.0.1, all stopped at the end (process groups killed in `finally`):
- warroom as shipped: `warroom serve` (gunicorn, gthread workers) and `warroom worker` (its
  inbox and escalation loops and the Huey consumer), on a
  fresh SQLite database in a temporary folder, or on a dedicated PostgreSQL database created and
  dropped by this script (`--database`; its name must contain "bench"). The Huey queue is the
  SQLite file beside it, or Redis with `--redis` (that Redis database is flushed).
  Set up: migrate, the default plan, a system "Bench", an integration of each kind
  (`warroom integration create --json`, rate limit off), and the commander "chen" whose one
  contact method is `json://` to an HTTP sink in this process.
- `/usr/bin/prometheus-alertmanager` with a temporary config: alerts labelled bench="load" go
  to a receiver with no integrations; everything else (group_by alertname, group_wait 0s,
  group_interval 1s) to a webhook at the same HTTP sink.
- `wrk` (one thread, `--connections` connections, `--duration` seconds) with bench/load.lua.

Measurements (warroom, then Alertmanager, with the same load):
 (a) single events: PagerDuty Events v2 triggers to /v2/enqueue, half of them a new dedup_key,
     half a repeat of an earlier one; each 202 is sent once the event is committed to the
     inbox (routing follows in the worker; the script waits until it is done and prints how
     long after the last request, so both rates are shown). The
     PagerDuty integration routes to the system "Bench", so new alerts join its open incident.
     Alertmanager: the same events as one alert per POST /api/v2/alerts.
 (b) webhooks of 100 alerts (Alertmanager payload version 4) to the Alertmanager integration
     (grouped by alertname): repeats (20 groups cycled; Alertmanager re-sends firing groups) and
     new alerts (every alert never seen before, one group). Alertmanager: the same alerts, 100
     per POST /api/v2/alerts.
 (c) alert → notification at the sink. Each probe is one alert with a new alertname (so it
     opens an incident in warroom, a new group in Alertmanager) carrying an id the sink finds
     in what it receives; latency = arrival at the sink - just before the alert was POSTed.
     Idle: probes one at a time, each after the previous arrived. Storm: ~1,000 alerts/s
     (webhooks / API posts of 50 alerts from 10 groups of 200 instances, so new and repeated
     alerts) for --storm-seconds while probes go out at an even pace.
(d) is bench/escalation_lateness.py; bench/run_all.sh runs both.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
LUA = Path(__file__).resolve().parent / "load.lua"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
WRK = "/usr/bin/wrk"
PROBE = re.compile(rb"probe-([a-z]+)-(\d+)")
STARTUP_TIMEOUT = 60.0

WARROOM = ("warroom serve", "warroom worker")
# Issue 4's targets on this 2-core machine.
TARGETS = {
    "a": 2500.0,  # events/s, at least
    "b": 20000.0,  # alerts/s, at least
    "c_idle": 20.0,  # ms, p50 when idle, at most
    "c_storm": 250.0,  # ms, p99 during the storm, at most
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = STARTUP_TIMEOUT) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {what}")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def python_speed() -> float:
    """Milliseconds this machine takes for a fixed piece of Python (a loop and JSON, one
    core), best of three. The same 2-core VM ran such a workload up to 40 % slower from one
    hour to the next: printed with each run, it tells a slower machine from slower code when
    figures are compared."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        json.dumps([{"a": i, "b": str(i)} for i in range(100_000)])
        best = min(best, time.perf_counter() - start)
    return best * 1000


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min)"


# Processes ----------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pid_cpu(pid: int) -> tuple[int, int]:
    """(process group, CPU ticks used so far) of a live process; (0, 0) once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    return int(fields[2]), int(fields[11]) + int(fields[12])


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of process group `pgid`."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        group, ticks = pid_cpu(int(stat.parent.name))
        if group == pgid:
            total += ticks
    return total / CLOCK_TICKS


def postgres_cpu(url: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to the bench database
    (they serve warroom, so they count as warroom's)."""
    import psycopg

    admin, name = postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchall()
    return sum(pid_cpu(pid)[1] for (pid,) in rows) / CLOCK_TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (not idle, not waiting for I/O)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_for_quiet(limit: float) -> None:
    """Wait, at most `limit` seconds, until the rest of the machine uses less than half a CPU
    (sampled over 3 s): on a shared machine other work skews every figure."""
    end = time.monotonic() + limit
    while True:
        before, start = machine_busy(), time.monotonic()
        time.sleep(3)
        busy = (machine_busy() - before) / (time.monotonic() - start)
        if busy < 0.5 or time.monotonic() >= end:
            print(f"machine busy {busy:.2f} CPUs before the run (waited for < 0.50)")
            return


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Processes:
    """Children started in their own process group, so stopping one stops what it forked
    (gunicorn's workers, Huey's threads)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.running.append((name, process))

    def cpu(self, *names: str) -> float:
        return sum(group_cpu(p.pid) for name, p in self.running if name in names)

    def check(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}")

    def stop_all(self) -> None:
        self.stop(*(name for name, _process in self.running))

    def stop(self, *names: str) -> None:
        stopping = [(n, p) for n, p in reversed(self.running) if n in names]
        for _name, process in stopping:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in stopping:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.running = [(n, p) for n, p in self.running if n not in names]


# The HTTP sink --------------------------------------------------------------------------------


class Sink:
    """Receives warroom's json:// pages and Alertmanager's webhooks; notes when each probe id
    first arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.posts = 0
        self.changed = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                now = time.time()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with sink.changed:
                    sink.posts += 1
                    for match in PROBE.finditer(body):
                        sink.arrived.setdefault(match.group(0).decode(), now)
                    sink.changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def wait(self, probe_id: str, timeout: float) -> float | None:
        end = time.monotonic() + timeout
        with self.changed:
            while probe_id not in self.arrived:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)
            return self.arrived[probe_id]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# Load generation --------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    seconds: float
    failed: int  # non-2xx/3xx answers and socket errors
    p50_ms: float
    p99_ms: float

    @property
    def ok_per_second(self) -> float:
        return (self.requests - self.failed) / self.seconds if self.seconds else 0.0


def run_wrk(url: str, mode: str, key: str, tag: int, args: argparse.Namespace) -> WrkResult:
    argv = [
        WRK,
        "-t1",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        mode,
        key,
        str(tag),
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    failed = sum(data[k] for k in ("status_errors", "connect", "read", "write", "timeout"))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        failed=failed,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


class Poster:
    """One keep-alive HTTP/1.1 connection that POSTs JSON (reconnecting after an error)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection: HTTPConnection | None = None

    def post(self, path: str, body: bytes) -> int:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request(
                    "POST", path, body=body, headers={"Content-Type": "application/json"}
                )
                response = self.connection.getresponse()
                response.read()
                return response.status
            except (OSError, ConnectionError):
                self.close()
                if attempt == 2:
                    return 0
        return 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Target:
    """Where alerts go: warroom's Alertmanager webhook, or Alertmanager's own API."""

    name: str
    base: str
    path: str
    webhook: bool  # True: an Alertmanager webhook (v4) body; False: a list for /api/v2/alerts

    def body(self, group: str, alerts: list[tuple[dict[str, str], dict[str, str]]]) -> bytes:
        if not self.webhook:
            return json.dumps(
                [{"labels": labels, "annotations": notes} for labels, notes in alerts]
            ).encode()
        starts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return json.dumps(
            {
                "receiver": "warroom",
                "status": "firing",
                "alerts": [
                    {
                        "status": "firing",
                        "labels": labels,
                        "annotations": notes,
                        "startsAt": starts,
                        "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "http://prometheus.example.com:9090/graph",
                        # Alertmanager's fingerprint is a hash of the labels; so is this one.
                        "fingerprint": hashlib.sha256(
                            json.dumps(labels, sort_keys=True).encode()
                        ).hexdigest()[:16],
                    }
                    for labels, notes in alerts
                ],
                "groupLabels": {"alertname": group},
                "commonLabels": {"alertname": group},
                "commonAnnotations": {},
                "externalURL": "http://alertmanager.example.com:9093",
                "version": "4",
                "groupKey": f'{{}}:{{alertname="{group}"}}',
                "truncatedAlerts": 0,
            }
        ).encode()


@dataclass
class Storm:
    """Alerts at `rate` a second in batches of `batch`, from `threads` paced senders, for
    `seconds`; bounded by its own deadline."""

    target: Target
    rate: float
    seconds: float
    batch: int = 50
    threads: int = 4
    groups: int = 10
    instances: int = 200
    sent: int = 0
    failed: int = 0
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        interval = self.batch / self.rate * self.threads  # seconds between one thread's batches
        start = time.monotonic() + 0.05
        deadline = start + self.seconds

        def sender(k: int) -> None:
            poster = Poster(self.target.base)
            rng = random.Random(k)
            j = 0
            try:
                while True:
                    due = start + (k / self.threads + j) * interval
                    if due >= deadline:
                        return
                    time.sleep(max(0.0, due - time.monotonic()))
                    group = f"Storm{(k + j * self.threads) % self.groups}"
                    alerts = [
                        (
                            {
                                "alertname": group,
                                "instance": f"node-{n}",
                                "severity": "warning",
                                "bench": "storm",
                            },
                            {"summary": f"{group} on node-{n}"},
                        )
                        for n in rng.sample(range(self.instances), self.batch)
                    ]
                    status = poster.post(self.target.path, self.target.body(group, alerts))
                    with self._lock:
                        if 200 <= status < 300:
                            self.sent += self.batch
                        else:
                            self.failed += self.batch
                    j += 1
            finally:
                poster.close()

        workers = [threading.Thread(target=sender, args=(k,)) for k in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=self.seconds + 60)
        self.elapsed = time.monotonic() - start


@dataclass
class Latency:
    sent: int
    values: list[float]  # seconds from just before the POST to the arrival at the sink
    answered: list[float]  # seconds from just before the POST to its answer

    @property
    def p50(self) -> float | None:
        return percentile(self.values, 50) if self.values else None

    @property
    def p99(self) -> float | None:
        # A probe that never arrived counts as later than every one that did.
        if len(self.values) < self.sent:
            return float("inf")
        return percentile(self.values, 99) if self.values else None


def probe_alert(probe_id: str) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {"alertname": probe_id, "severity": "critical", "bench": "probe"},
        {"summary": probe_id, "description": "latency probe"},
    )


def probes_idle(
    sink: Sink, target: Target, prefix: str, count: int, timeout: float, gap: float
) -> Latency:
    """`count` probes one at a time: each is sent after the previous one arrived."""
    poster = Poster(target.base)
    values, answered = [], []
    try:
        for n in range(count):
            probe_id = f"probe-{prefix}-{n}"
            body = target.body(probe_id, [probe_alert(probe_id)])
            sent = time.time()
            status = poster.post(target.path, body)
            answered.append(time.time() - sent)
            if not 200 <= status < 300:
                raise RuntimeError(f"{target.name} answered {status} to a probe")
            arrived = sink.wait(probe_id, timeout)
            if arrived is not None:
                values.append(arrived - sent)
            time.sleep(gap)
    finally:
        poster.close()
    return Latency(count, values, answered)


def probes_in_storm(
    sink: Sink, target: Target, prefix: str, count: int, storm: Storm, timeout: float
) -> Latency:
    """Run `storm` in the background and send `count` probes evenly over its middle part;
    then wait at most `timeout` seconds for the stragglers."""
    thread = threading.Thread(target=storm.run)
    thread.start()
    poster = Poster(target.base)
    sent: dict[str, float] = {}
    answered = []
    try:
        begin = time.monotonic() + min(1.0, storm.seconds / 10)
        span = storm.seconds - 2 * min(1.0, storm.seconds / 10)
        for n in range(count):
            time.sleep(max(0.0, begin + span * n / count - time.monotonic()))
            probe_id = f"probe-{prefix}-{n}"
            body = target.body(probe_id, [probe_alert(probe_id)])
            sent[probe_id] = time.time()
            status = poster.post(target.path, body)
            answered.append(time.time() - sent[probe_id])
            if not 200 <= status < 300:
                print(f"  ! {target.name} answered {status} to probe {n}")
    finally:
        poster.close()
        thread.join(timeout=storm.seconds + 60)
    end = time.monotonic() + timeout
    values = []
    for probe_id, at in sent.items():
        arrived = sink.wait(probe_id, max(0.0, end - time.monotonic()))
        if arrived is not None:
            values.append(arrived - at)
    return Latency(count, values, answered)


# warroom and Alertmanager ------------------------------------------------------------------


def postgres_admin(url: str) -> tuple[str, str]:
    """The maintenance URL of the server and the bench database's name; refuses a database
    whose name does not say it is for benchmarks (never `test` or a real one)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--database: the database name must contain 'bench', got {name!r}")
    return parts._replace(scheme="postgresql", path="/postgres").geturl(), name


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    admin, name = postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def warroom_env(tmp: Path, database: str, redis: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            # The checkout this script is in, whatever the virtualenv has installed.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp),
            "WARROOM_DATABASE_URL": database or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "WARROOM_SECRET_KEY": "bench-secret-key-0123456789-abcdefghij",
            "WARROOM_LOG_LEVEL": "WARNING",
            "WARROOM_BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    if redis:
        env["WARROOM_REDIS_URL"] = redis
    return env


def set_up_warroom(env: dict[str, str], sink_port: int) -> dict[str, str]:
    """Migrate, apply the default plan, and create what the measurements use; returns the
    integration keys by kind."""
    python = sys.executable
    subprocess.run([python, "-m", "warroom.cli", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from warroom.alerts import configure
    from warroom.alerts.models import Integration
    from warroom.catalog.services import save_system
    from warroom.people.models import Department, TeamRole
    from warroom.people.services import add_team_member, create_person
    from warroom.plan.services import apply_plan

    apply_plan(settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8"), comment="bench")
    save_system(None, name="Bench", kind="erp", owner_department=Department.objects.get(code="it"))
    chen = create_person(
        username="chen",
        first_name="Chen",
        language="en",
        contact_methods=[{"label": "sink", "url": f"json://127.0.0.1:{sink_port}/page"}],
    )
    add_team_member(TeamRole.objects.get(code="commander"), chen)
    connections.close_all()
    keys = {}
    for kind in ("pagerduty", "alertmanager", "grafana", "generic"):
        argv = [python, "-m", "warroom.cli", "integration", "create", "--kind", kind]
        argv += ["--name", f"bench {kind}", "--rate-limit", "0", "--json"]
        if kind == "pagerduty":
            argv += ["--system", "Bench"]
        done = subprocess.run(argv, env=env, check=True, cwd=ROOT, capture_output=True)
        keys[kind] = json.loads(done.stdout)["key"]
    # Alertmanager's alerts join the open incident of their alertname, as Alertmanager groups.
    configure.update_integration(
        Integration.objects.get(kind="alertmanager"), default_group_by=["alertname"]
    )
    connections.close_all()
    return keys


def alert_counts(kind: str) -> tuple[int, int]:
    """Rows and the sum of their counts, of the alerts of the integration of `kind`."""
    from django.db import connections
    from django.db.models import Count, Sum

    from warroom.alerts.models import Alert

    try:
        totals = Alert.objects.filter(integration__kind=kind).aggregate(
            rows=Count("id"), events=Sum("count")
        )
        return int(totals["rows"] or 0), int(totals["events"] or 0)
    finally:
        connections.close_all()


def inbox_drained(timeout: float = 300.0) -> tuple[float, int]:
    """Wait until the worker has routed everything accepted; returns (seconds waited, rows
    left failed). The webhooks answer once a request is stored; routing follows."""
    from django.db import connections

    from warroom.alerts import inbox

    start = time.monotonic()
    try:
        while inbox.pending():
            if time.monotonic() - start > timeout:
                raise SystemExit(f"the inbox did not drain within {timeout:.0f} s")
            time.sleep(0.05)
        return time.monotonic() - start, inbox.failed()
    finally:
        connections.close_all()


def alertmanager_config(workdir: Path, sink_port: int) -> Path:
    config = workdir / "alertmanager.yml"
    config.write_text(
        "route:\n"
        "  receiver: sink\n"
        "  group_by: [alertname]\n"
        "  group_wait: 0s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "  routes:\n"
        "    - matchers: ['bench=\"load\"']\n"
        "      receiver: blackhole\n"
        "receivers:\n"
        "  - name: sink\n"
        "    webhook_configs:\n"
        f"      - url: 'http://127.0.0.1:{sink_port}/alertmanager'\n"
        "        send_resolved: false\n"
        "  - name: blackhole\n",
        encoding="utf-8",
    )
    return config


# The report ---------------------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    warroom: float | None
    alertmanager: float | None
    unit: str  # "/s" or "ms"
    target: float | None = None  # in the figure's unit; None when the issue sets none

    def cells(self) -> list[str]:
        def show(value: float | None) -> str:
            if value is None:
                return "-"
            if value == float("inf"):
                return "lost"
            return f"{value:,.0f}/s" if self.unit == "/s" else f"{value:,.1f} ms"

        if self.target is None:
            target, met = "-", "-"
        elif self.warroom is None:
            target, met = "", "n/a"
        elif self.unit == "/s":
            target, met = (
                f">= {self.target:,.0f}/s",
                "met" if self.warroom >= self.target else "MISSED",
            )
        else:
            target, met = (
                f"<= {self.target:,.0f} ms",
                "met" if self.warroom <= self.target else "MISSED",
            )
        ratio = "-"
        if self.warroom not in (None, float("inf")) and self.alertmanager:
            ratio = f"{self.warroom / self.alertmanager:.2f}"
        return [self.figure, show(self.warroom), target, met, show(self.alertmanager), ratio]


def print_table(rows: list[Row]) -> None:
    header = ["figure", "warroom", "target", "met", "Alertmanager", "ratio w/AM"]
    table = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for n, line in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def ms(value: float | None) -> float | None:
    return None if value is None else value * 1000


# Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="", help="postgres://.../<name with 'bench'>")
    parser.add_argument("--redis", default="", help="Huey queue in Redis at this URL (flushed)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--probes", type=int, default=50, help="latency probes, idle and storm")
    parser.add_argument("--storm-rate", type=float, default=1000.0, help="alerts per second")
    parser.add_argument("--storm-seconds", type=float, default=10.0)
    parser.add_argument("--only", default="abc", help="which of a, b, c to measure")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0.0,
        help="first wait up to this many seconds for the machine to be otherwise idle",
    )
    parser.add_argument(
        "--keep",
        default="",
        help="copy the SQLite database and the logs into this folder at the end (to examine)",
    )
    args = parser.parse_args()
    if args.database and not args.database.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database takes a postgres:// URL (SQLite is the default)")
    for binary, package in ((WRK, "wrk"), (ALERTMANAGER, "prometheus-alertmanager")):
        if not Path(binary).exists():
            raise SystemExit(f"{binary} is missing: apt-get install -y {package}")
    if args.database:
        postgres_admin(args.database)

    if args.quiet_wait:
        wait_for_quiet(args.quiet_wait)
    print(
        f"Python speed of this machine: {python_speed():.0f} ms (lower is faster; bench/README.md)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-ingest-"))
    processes = Processes()
    sink = Sink()
    rows: list[Row] = []
    try:
        if args.database:
            recreate_database(args.database)
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
        port, am_port = free_port(), free_port()
        env = warroom_env(tmp, args.database, args.redis, port)
        keys = set_up_warroom(env, sink.port)
        python = sys.executable
        serve = ["serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        processes.start(
            "warroom serve",
            [python, "-m", "warroom.cli", *serve],
            env,
            tmp / "serve.log",
        )
        processes.start(
            "warroom worker", [python, "-m", "warroom.cli", "worker"], env, tmp / "worker.log"
        )
        warroom, alertmanager = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{am_port}"
        am_config = alertmanager_config(tmp, sink.port)
        am_starts = 0

        def fresh_alertmanager() -> None:
            """(Re)start Alertmanager with empty storage. After a load it keeps working on
            the alerts it holds (a CPU for minutes, until they time out): left running, it
            would take that CPU from warroom's next measurement."""
            nonlocal am_starts
            processes.stop("alertmanager")
            am_starts += 1
            storage = tmp / f"alertmanager-{am_starts}"
            storage.mkdir()
            processes.start(
                "alertmanager",
                [
                    ALERTMANAGER,
                    f"--config.file={am_config}",
                    f"--storage.path={storage}",
                    "--cluster.listen-address=",
                    f"--web.listen-address=127.0.0.1:{am_port}",
                    "--log.level=warn",
                ],
                {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                tmp / "alertmanager.log",
            )
            wait_for(
                "Alertmanager", lambda: http_ok(f"{alertmanager}/-/ready") or processes.check()
            )

        fresh_alertmanager()
        wait_for("warroom", lambda: http_ok(f"{warroom}/healthz") or processes.check())
        time.sleep(2)  # the worker's consumer starts
        processes.check()
        queue = "Redis" if args.redis else "SQLite"
        database = "PostgreSQL" if args.database else "SQLite"
        print(
            f"warroom: gunicorn {args.workers} gthread workers, {database} database, {queue} "
            "queue; "
            f"Alertmanager {alertmanager_version()}; wrk 1 thread, {args.connections} "
            f"connections, {args.duration} s per measurement; {os.cpu_count()} CPUs"
        )
        hook_path = f"/api/v1/integrations/alertmanager/{keys['alertmanager']}"
        tag = 1

        def server_cpu(name: str) -> float:
            if name != "warroom":
                return processes.cpu("alertmanager")
            database = postgres_cpu(args.database) if args.database else 0.0
            return processes.cpu(*WARROOM) + database

        def measure(
            title: str, modes: tuple[str, str], urls: tuple[str, str], per: int
        ) -> list[WrkResult]:
            """wrk against warroom, then Alertmanager; `per` alerts in each request."""
            nonlocal tag
            print(f"\n{title}  [{load_note()}]")
            results = []
            for name, mode, url in zip(("warroom", "Alertmanager"), modes, urls, strict=True):
                before = (server_cpu(name), children_cpu(), machine_busy(), time.time())
                web_before = processes.cpu(WARROOM[0])
                result = run_wrk(url, mode, keys["pagerduty"], tag, args)
                drain = inbox_drained() if name == "warroom" else None
                server = server_cpu(name) - before[0]
                web = processes.cpu(WARROOM[0]) - web_before
                wrk = children_cpu() - before[1]
                rest = machine_busy() - before[2] - server - wrk
                wall = time.time() - before[3]
                tag += 1
                results.append(result)
                if name == "Alertmanager":
                    fresh_alertmanager()
                print(
                    f"  {name:<13} {result.requests:>7} requests in {result.seconds:.1f} s, "
                    f"{result.failed} failed; {result.ok_per_second:,.0f} req/s; latency "
                    f"p50 {result.p50_ms:.1f} ms p99 {result.p99_ms:.1f} ms\n"
                    f"  {'':<13} CPUs busy: {name} {server / wall:.2f}, wrk {wrk / wall:.2f}, "
                    f"everything else on the machine {max(0.0, rest) / wall:.2f}; "
                    f"{per * (result.requests - result.failed) / max(server, 0.01):,.0f} alerts "
                    f"per CPU-second of {name}"
                )
                if drain is not None:
                    routed = per * (result.requests - result.failed) / (result.seconds + drain[0])
                    print(
                        f"  {'':<13} the worker had routed everything {drain[0]:.2f} s after wrk "
                        f"stopped ({routed:,.0f} alerts/s from first request to last routed; "
                        f"{drain[1]} inbox rows failed); CPU figures include that time; of "
                        f"warroom's CPU-seconds the web server took {web:.1f}, the worker "
                        f"{server - web:.1f}"
                    )
                time.sleep(2)  # let the worker catch up before the next measurement
            processes.check()
            return results

        if "a" in args.only:
            before = alert_counts("pagerduty")
            wr, am = measure(
                "(a) single events: PagerDuty v2 /v2/enqueue vs Alertmanager /api/v2/alerts",
                ("pd", "api1"),
                (f"{warroom}/v2/enqueue", f"{alertmanager}/api/v2/alerts"),
                per=1,
            )
            after = alert_counts("pagerduty")
            accepted = wr.requests - wr.failed
            print(
                f"  warroom stored {after[0] - before[0]} alerts counting "
                f"{after[1] - before[1]} events (accepted {accepted}; the few more are requests "
                "in flight when wrk stopped)"
            )
            rows.append(
                Row("(a) PD v2 events/s", wr.ok_per_second, am.ok_per_second, "/s", TARGETS["a"])
            )
        if "b" in args.only:
            for variant, label in (("repeat", "repeated"), ("new", "new")):
                before = alert_counts("alertmanager")
                wr, am = measure(
                    f"(b) webhooks of 100 {label} alerts vs Alertmanager /api/v2/alerts x100",
                    (f"hook-{variant}", f"api-{variant}"),
                    (f"{warroom}{hook_path}", f"{alertmanager}/api/v2/alerts"),
                    per=100,
                )
                after = alert_counts("alertmanager")
                accepted = 100 * (wr.requests - wr.failed)
                print(
                    f"  warroom stored {after[0] - before[0]} new alerts, counted "
                    f"{after[1] - before[1]} alert events (accepted {accepted})"
                )
                rows.append(
                    Row(
                        f"(b) AM webhook x100 {label}, alerts/s",
                        100 * wr.ok_per_second,
                        100 * am.ok_per_second,
                        "/s",
                        TARGETS["b"],
                    )
                )
        if "c" in args.only:
            targets = (
                Target("warroom", warroom, hook_path, webhook=True),
                Target("Alertmanager", alertmanager, "/api/v2/alerts", webhook=False),
            )
            idle: list[Latency] = []
            print(f"\n(c) alert -> notification at the sink, idle  [{load_note()}]")
            for target, prefix in zip(targets, ("wi", "ai"), strict=True):
                result = probes_idle(sink, target, prefix, args.probes, timeout=10, gap=0.1)
                idle.append(result)
                print(f"  {target.name:<13} {describe(result)}")
            storm: list[Latency] = []
            print(
                f"\n(c) alert -> notification during a storm of {args.storm_rate:,.0f} alerts/s "
                f"for {args.storm_seconds:.0f} s  [{load_note()}]"
            )
            for target, prefix in zip(targets, ("ws", "as"), strict=True):
                wave = Storm(target, args.storm_rate, args.storm_seconds)
                result = probes_in_storm(sink, target, prefix, args.probes, wave, timeout=30)
                storm.append(result)
                print(
                    f"  {target.name:<13} {describe(result)}; storm sent {wave.sent} alerts "
                    f"({wave.sent / wave.elapsed:,.0f}/s), {wave.failed} refused"
                )
                time.sleep(3)
            processes.check()
            rows += [
                Row("(c) idle p50", ms(idle[0].p50), ms(idle[1].p50), "ms", TARGETS["c_idle"]),
                Row("(c) idle p99", ms(idle[0].p99), ms(idle[1].p99), "ms"),
                Row("(c) storm p50", ms(storm[0].p50), ms(storm[1].p50), "ms"),
                Row("(c) storm p99", ms(storm[0].p99), ms(storm[1].p99), "ms", TARGETS["c_storm"]),
            ]
    finally:
        processes.stop_all()
        sink.stop()
        if args.database:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            recreate_database(args.database, drop_only=True)
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
        if args.keep:
            shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nresults (ratio = warroom / Alertmanager: above 1 is more for rates, slower for times)")
    print_table(rows)


def describe(result: Latency) -> str:
    if not result.values:
        return f"0/{result.sent} probes arrived"
    return (
        f"{len(result.values)}/{result.sent} probes arrived; p50 {result.p50 * 1000:.1f} ms "
        f"p99 {ms_text(result.p99)} max {max(result.values) * 1000:.1f} ms "
        f"(the POST was answered in p50 {percentile(result.answered, 50) * 1000:.1f} ms, "
        f"p99 {percentile(result.answered, 99) * 1000:.1f} ms)"
    )


def ms_text(value: float | None) -> str:
    if value is None:
        return "-"
    return "lost" if value == float("inf") else f"{value * 1000:.1f} ms"


def alertmanager_version() -> str:
    done = subprocess.run([ALERTMANAGER, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"version (\S+)", done.stdout + done.stderr)
    return match.group(1) if match else "?"


if __name__ == "__main__":
    main()
