"""Benchmark: the evaluation dashboard's metrics over a history of 100,000 incidents.

Writes a year of incidents (bulk inserts; levels, categories, systems of several departments,
drills, cancellations, open ones, survey answers) into a fresh database, then times
`warroom.evaluation.queries.evaluation` — the function the /evaluation/ page calls — for this
month (the page's default) with the trend's completed months stored and right after an
incident of a past month changed, for a past month and a whole year as the period, and for
this month with no month stored yet (the very first view). Prints min and median wall
time, CPU time and the queries per run. Target: <= 300 ms for the page.

    .venv/bin/python bench/metrics_dashboard.py [--incidents 100000] [--runs 5]
        [--database postgres://postgres@127.0.0.1:5432/warroom_bench_metrics]

Without --database it uses a fresh SQLite file in a temporary folder. With a PostgreSQL URL it
creates that database, refuses one that already exists (and the name 'test', which CI uses),
and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SEED = 20250301
BATCH = 5000


@contextmanager
def postgres_database(url: str) -> Iterator[None]:
    """Create the database named in `url` for the run and drop it afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use the database {name!r}: name a bench database")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise SystemExit(f"the database {name!r} exists already; drop it or name another")
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generate(count: int) -> None:
    """`count` incidents over the 12 months up to now, with systems and survey answers."""
    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from warroom.catalog.models import System
    from warroom.evaluation.models import Feedback
    from warroom.incidents.models import Incident, IncidentSystem
    from warroom.people.models import Department
    from warroom.people.services import create_person
    from warroom.plan.services import apply_plan

    rng = random.Random(SEED)
    version = apply_plan(settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8")).version
    departments = list(Department.objects.all())
    systems = System.objects.bulk_create(
        [
            System(
                name=f"system {i:02d}",
                kind="internal",
                owner_department=departments[i % len(departments)],
            )
            for i in range(24)
        ]
    )
    reporter = create_person(username="reporter")
    from warroom.plan.queries import plan_of

    plan = plan_of(version)
    targets = {level.code: level.targets.seconds() for level in plan.impact_levels}
    levels = [level.code for level in plan.impact_levels]
    categories = [category.code for category in plan.risk_categories]
    now = timezone.now()
    year = dt.timedelta(days=365)

    def minutes(median: float) -> dt.timedelta:
        return dt.timedelta(minutes=rng.lognormvariate(0, 0.8) * median)

    # reported_at is auto_now_add: switched off while the history is written with its own
    # times (bench only).
    reported_field = Incident._meta.get_field("reported_at")
    reported_field.auto_now_add = False
    started = time.perf_counter()
    made = 0
    try:
        while made < count:
            size = min(BATCH, count - made)
            rows = []
            for _ in range(size):
                level = rng.choices(levels, weights=[1, 3, 6][: len(levels)])[0]
                target = targets[level]
                reported = now - year * rng.random()
                stage = rng.random()
                status = "closed" if stage < 0.8 else "resolved" if stage < 0.9 else "responding"
                incident = Incident(
                    title=f"bench {made}",
                    plan_version=version,
                    reporter=reporter,
                    level=level,
                    category=rng.choice(categories),
                    status=status,
                    is_drill=rng.random() < 0.05,
                    reported_at=reported,
                    due_acknowledge=reported + dt.timedelta(seconds=target["acknowledge"]),
                    due_assess=reported + dt.timedelta(seconds=target["assess"]),
                    due_mitigate=reported + dt.timedelta(seconds=target["mitigate"]),
                    due_resolve=reported + dt.timedelta(seconds=target["resolve"]),
                )
                if rng.random() < 0.03:
                    incident.status = "cancelled"
                incident.acknowledged_at = reported + minutes(target["acknowledge"] / 60 * 0.8)
                incident.assessed_at = incident.acknowledged_at + minutes(target["assess"] / 60 / 2)
                incident.responding_at = incident.assessed_at
                if status != "responding":
                    incident.recovering_at = incident.assessed_at + minutes(
                        target["mitigate"] / 60 * 0.7
                    )
                    incident.resolved_at = incident.recovering_at + minutes(
                        target["resolve"] / 60 / 3
                    )
                rows.append(incident)
            with transaction.atomic():
                created = Incident.objects.bulk_create(rows)
                IncidentSystem.objects.bulk_create(
                    [
                        IncidentSystem(incident=incident, system=system)
                        for incident in created
                        for system in rng.sample(systems, rng.choice((1, 1, 1, 2, 3)))
                    ]
                )
                Feedback.objects.bulk_create(
                    [
                        Feedback(
                            incident=incident,
                            from_user=reporter,
                            score=rng.randint(1, 5),
                            submitted_at=incident.resolved_at,
                        )
                        for incident in created
                        if incident.resolved_at is not None and rng.random() < 0.1
                    ]
                )
            made += size
    finally:
        reported_field.auto_now_add = True
    with connection.cursor() as cursor:
        # Statistics for the planner; on PostgreSQL VACUUM also marks the pages all-visible,
        # as autovacuum does soon after such inserts on a server, so that a period can be
        # read from the covering index alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"  wrote {count} incidents, {IncidentSystem.objects.count()} system links, "
        f"{Feedback.objects.count()} answers in {time.perf_counter() - started:.1f}s"
    )


def timed(fn: Callable[[], Any], runs: int, before: Callable[[], Any]) -> dict[str, Any]:
    """Wall and CPU milliseconds of `fn` per run (`before` runs first, untimed), and the
    queries one run makes. CPU is this process's: with SQLite that is the database's work
    too, with PostgreSQL only the client's."""
    from django.db import connection

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    wall, cpu = [], []
    for _ in range(runs):
        before()
        queries = 0
        with connection.execute_wrapper(count):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return {"wall": wall, "cpu": cpu, "queries": queries}


def report(label: str, result: dict[str, Any], runs: int) -> None:
    wall, cpu = result["wall"], result["cpu"]
    print(
        f"  {label}: wall min {min(wall):.0f} / median {statistics.median(wall):.0f} ms, "
        f"cpu median {statistics.median(cpu):.0f} ms  ({runs} runs, {result['queries']} queries)"
    )


def run(count: int, runs: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from warroom.evaluation.models import TrendMonth
    from warroom.evaluation.periods import Period, add_months, month, this_month
    from warroom.evaluation.queries import evaluation
    from warroom.incidents.models import Incident

    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    print(f"metrics dashboard over {count} incidents ({connection.vendor}, load {load:.1f})")
    generate(count)
    today = timezone.localdate()
    current, year = this_month(today), Period(today.replace(year=today.year - 1), today)
    first = add_months(current.start, -3)
    past = month(first.year, first.month)
    # The parsed plan is cached and the completed months of both trends stored, as on a
    # server where someone looked before.
    evaluation(current)
    evaluation(past)

    def nothing() -> None:
        pass

    # Real incidents of a past month still open: one is resolved (straight in the rows, as
    # the history was written) before each run of that measurement, so each run finds the
    # month's stored numbers stale and computes that month again.
    still_open = iter(
        Incident.objects.filter(
            reported_at__gte=past.start_at,
            reported_at__lt=past.end_at,
            status="responding",
            is_drill=False,
        ).values_list("pk", "reported_at")
    )

    def resolve_one() -> None:
        pk, reported = next(still_open)
        Incident.objects.filter(pk=pk).update(
            status="resolved",
            recovering_at=reported + dt.timedelta(hours=2),
            resolved_at=reported + dt.timedelta(hours=5),
        )

    def forget_stored() -> None:
        TrendMonth.objects.all().delete()

    report(
        "this month (the page), completed months stored",
        timed(lambda: evaluation(current), runs, nothing),
        runs,
    )
    report(
        "this month, an incident of a past month changed",
        timed(lambda: evaluation(current), runs, resolve_one),
        runs,
    )
    report(
        f"a past month ({past.start:%Y-%m}) as the period",
        timed(lambda: evaluation(past), runs, nothing),
        runs,
    )
    report(
        "a whole year as the period",
        timed(lambda: evaluation(year), max(1, runs // 2), nothing),
        max(1, runs // 2),
    )
    # Last, as it leaves only this month's trend stored. Nothing is stored before the first
    # view, and after a migrate that found a trigger missing (summaries.install_triggers).
    report(
        "this month, nothing stored yet",
        timed(lambda: evaluation(current), runs, forget_stored),
        runs,
    )
    print(f"  target <= 300 ms for the page; load average now {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="", help="postgres:// URL of a database to create")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-metrics-"))
    for key in [k for k in os.environ if k.startswith("WARROOM_")]:
        del os.environ[key]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
            "WARROOM_VAR_DIR": str(tmp),
            "WARROOM_DATABASE_URL": args.database or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "WARROOM_SECRET_KEY": "bench-secret-key-0123456789-abcdefghij",
            "WARROOM_LOG_LEVEL": "WARNING",
        }
    )
    try:
        if args.database:
            with postgres_database(args.database):
                run(args.incidents, args.runs)
        else:
            run(args.incidents, args.runs)
    finally:
        # The SQLite history is ~100 MB: nothing of a run is kept.
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
