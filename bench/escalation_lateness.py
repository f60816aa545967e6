"""Benchmark (d): how late escalation steps run, with a real `warroom worker`.

Opens N incidents, makes each one's second paging step due at a spread of moments over the
next few seconds (as `_advance` would after a policy wait), starts a worker, and measures for
every step: the time its page was written minus the time it was due. Prints p50/p99/max.

    .venv/bin/python bench/escalation_lateness.py [--incidents 200] [--spread 10]
        [--redis redis://127.0.0.1:6379/12]
        [--database postgres://postgres@127.0.0.1:5432/warroom_bench]

Runs against a fresh SQLite database in a temporary folder, or a PostgreSQL database that it
creates and drops (`--database`, or WARROOM_BENCH_DATABASE_URL; its name must contain
"bench"). It measures the checkout it is in (its src/ goes first on the path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument(
        "--spread", type=float, default=10.0, help="seconds over which steps fall due"
    )
    parser.add_argument("--redis", default="", help="queue in Redis at this URL (flushed)")
    parser.add_argument(
        "--database",
        default=os.environ.get("WARROOM_BENCH_DATABASE_URL", ""),
        help="postgres://.../<name with 'bench'>, created and dropped (default: SQLite)",
    )
    args = parser.parse_args()
    from ingest import recreate_database  # bench/, this script's folder, is first on the path

    if args.database:
        recreate_database(args.database)
    try:
        run(args)
    finally:
        if args.database:
            from django.db import connections

            connections.close_all()
            recreate_database(args.database, drop_only=True)
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()  # the queue's leftovers


def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            # The checkout this script is in, whatever the virtualenv has installed.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp),
            "WARROOM_DATABASE_URL": args.database or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "WARROOM_SECRET_KEY": "bench-secret-key-0123456789-abcdefghij",
            "WARROOM_LOG_LEVEL": "WARNING",
        }
    )
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        env["WARROOM_REDIS_URL"] = args.redis
    python = sys.executable
    subprocess.run([python, "-m", "warroom.cli", "migrate", "-v0"], env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from warroom.incidents.models import TimelineEvent
    from warroom.incidents.services import report_incident
    from warroom.paging import services
    from warroom.paging.models import Paging
    from warroom.people.models import TeamRole
    from warroom.people.services import add_team_member, create_person
    from warroom.plan.services import apply_plan

    apply_plan(settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8"))
    for username, role in (("chen", "commander"), ("dora", "deputy")):
        add_team_member(TeamRole.objects.get(code=role), create_person(username=username))
    worker = subprocess.Popen(
        [python, "-m", "warroom.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, stopped as a whole
    )
    try:
        time.sleep(3)  # the consumer starts
        start = timezone.now() + dt.timedelta(seconds=2)
        due: dict[int, dt.datetime] = {}
        for i in range(args.incidents):
            with transaction.atomic():
                incident = report_incident(reporter=None, title=f"bench {i}")
                paging = Paging.objects.get(incident=incident)
                when = start + dt.timedelta(seconds=args.spread * i / args.incidents)
                Paging.objects.filter(pk=paging.pk).update(next_step_at=when)
                transaction.on_commit(
                    lambda p=paging, w=when: services._schedule(p.pk, p.step, p.round, w)
                )
            due[incident.pk] = when
        deadline = time.time() + args.spread + 60
        while time.time() < deadline:
            done = TimelineEvent.objects.filter(kind="paged", data__step=2).count()
            if done >= args.incidents:
                break
            time.sleep(0.5)
        late = [
            (event.at - due[event.incident_id]).total_seconds()
            for event in TimelineEvent.objects.filter(kind="paged", data__step=2)
        ]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)
    queue = "Redis" if args.redis else "SQLite"
    print(
        f"escalation step lateness ({queue} queue, {len(late)}/{args.incidents} steps, "
        f"due over {args.spread:.0f}s)"
    )
    if late:
        print(
            f"  p50 {percentile(late, 50):.3f}s  p99 {percentile(late, 99):.3f}s  "
            f"max {max(late):.3f}s   target p99 <= 1.5s"
        )


if __name__ == "__main__":
    main()
