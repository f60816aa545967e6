"""The trend's completed months, stored: the dashboard reads eleven months of numbers from
TrendMonth instead of aggregating a year of incidents on every view.

A month that is over still changes: its incidents are acknowledged, resolved, cancelled,
reassessed (new due times), marked as drills or deleted. So the database records every such
change itself: triggers on the incident table (checked after every `migrate`,
install_triggers) log the changed incident's report time in TrendChange, whatever made the
write — a transition, the admin, a bulk import, a QuerySet.update(). A stored month that a
logged change falls in is not used; it is computed again (one aggregate query for the months
missing, the same query queries.py runs for any month) and stored. The surveys' answers are
not stored: queries.py counts them for all the months in one query on each view.

Plan targets depend on the time too: a target counts once its due time has passed. A stored
month holds from the `now` it was computed for until `valid_until`, the first due time still
pending then; outside that range it is computed again.

Locks: a refresh (apply the logged changes, compute the months missing, store them) is one
transaction holding SQLite's write lock or, on PostgreSQL, an advisory lock, so refreshes run
one at a time; writers of incidents never wait for it. A change committed while a month is
being computed stays in the log, so the next read computes that month again: a stored month
is only used while no change to it is logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, OuterRef, Q

from warroom.evaluation.models import TrendChange, TrendMonth
from warroom.evaluation.periods import Period
from warroom.incidents.models import Incident
from warroom.incidents.queries import DEADLINES

# One month's numbers, as queries.py stores and reads them (JSON).
MonthData = dict[str, Any]


@dataclass(frozen=True)
class Computed:
    data: MonthData
    valid_until: dt.datetime | None


# Computes consecutive months as of `now`: queries.py passes its aggregate query.
Compute = Callable[[list[Period], dt.datetime], dict[Period, Computed]]

LOCK = "warroom.evaluation.trend"


def stored_months(
    months: list[Period], now: dt.datetime, compute: Compute
) -> dict[Period, MonthData]:
    """The numbers of `months` (consecutive, oldest first, each over by `now`) as of `now`.

    One query when every month is stored, still valid at `now` and unchanged since; else a
    refresh under the lock that computes the months from the first to the last missing one
    with `compute` and stores them."""
    if not months:
        return {}
    found = _usable(months, now)
    if len(found) == len(months):
        return found
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        _lock(own_transaction=own_transaction)
        _apply_changes()
        found = _usable(months, now)
        missing = [m for m in months if m not in found]
        if missing:
            span = months[months.index(missing[0]) : months.index(missing[-1]) + 1]
            computed = compute(span, now)
            TrendMonth.objects.filter(start_at__in=[m.start_at for m in span]).delete()
            TrendMonth.objects.bulk_create(
                TrendMonth(
                    start_at=m.start_at,
                    end_at=m.end_at,
                    computed_for=now,
                    valid_until=computed[m].valid_until,
                    data=computed[m].data,
                )
                for m in span
            )
            found.update({m: computed[m].data for m in span})
    return found


def _usable(months: list[Period], now: dt.datetime) -> dict[Period, MonthData]:
    """The stored months among `months` that hold at `now` and that no logged change falls in."""
    wanted = {(m.start_at, m.end_at): m for m in months}
    changed = TrendChange.objects.filter(
        reported_at__gte=OuterRef("start_at"), reported_at__lt=OuterRef("end_at")
    )
    rows = (
        TrendMonth.objects.filter(start_at__in=[m.start_at for m in months], computed_for__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
        .filter(~Exists(changed))
        .values_list("start_at", "end_at", "data")
    )
    return {wanted[(start, end)]: data for start, end, data in rows if (start, end) in wanted}


def _lock(*, own_transaction: bool) -> None:
    # SQLite: the transaction's first write (in _apply_changes) takes the database's write
    # lock, held to the commit. PostgreSQL: writers are not locked out, refreshes are.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [LOCK])
            if own_transaction:
                # Stored months are a cache: a crash could only lose the refresh whole (the
                # log rows it emptied come back with it), so its commit need not wait for
                # the disk. Not when the caller's own writes share the transaction.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _apply_changes() -> None:
    """Drop every stored month that a logged change falls in, and empty the log of what was
    applied. Needs the refresh lock."""
    if connection.vendor == "postgresql":
        # One statement, so one snapshot: it empties exactly the log rows it drops months
        # for. A change committed meanwhile (its trigger ran in another transaction) stays
        # logged for the next refresh.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH gone AS (DELETE FROM {_table(TrendChange)} RETURNING reported_at) "
                f"DELETE FROM {_table(TrendMonth)} AS m USING gone "
                "WHERE gone.reported_at >= m.start_at AND gone.reported_at < m.end_at"
            )
        return
    # SQLite: the first DELETE takes the write lock, so nothing is logged between the two.
    changed = TrendChange.objects.filter(
        reported_at__gte=OuterRef("start_at"), reported_at__lt=OuterRef("end_at")
    )
    TrendMonth.objects.filter(Exists(changed)).delete()
    TrendChange.objects.all().delete()


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- the triggers that log changes ------------------------------------------------------------

# What the trend counts of an incident: which ones (status for cancelled, is_drill), in which
# month (reported_at), and per milestone when it was reached and when it was due.
WATCHED = (
    "status",
    "is_drill",
    "reported_at",
    *(f for _n, due, done in DEADLINES for f in (done, due)),
)
TRIGGERS = ("evaluation_trend_incident",)


def _sqlite_triggers(q: Callable[[str], str]) -> list[str]:
    # Their bodies name only TrendChange's table: SQLite re-reads every trigger when Django
    # renames a rebuilt table into place, and fails if one names a table missing then.
    incident, log, at = (
        q(Incident._meta.db_table),
        q(TrendChange._meta.db_table),
        q("reported_at"),
    )
    watched = ", ".join(q(f) for f in WATCHED)
    differs = " OR ".join(f"OLD.{q(f)} IS NOT NEW.{q(f)}" for f in WATCHED)
    return [
        f"CREATE TRIGGER evaluation_trend_incident_insert AFTER INSERT ON {incident} "
        f"BEGIN INSERT INTO {log} ({at}) VALUES (NEW.{at}); END",
        f"CREATE TRIGGER evaluation_trend_incident_update AFTER UPDATE OF {watched} "
        f"ON {incident} WHEN {differs} BEGIN "
        f"INSERT INTO {log} ({at}) VALUES (OLD.{at}); "
        f"INSERT INTO {log} ({at}) SELECT NEW.{at} WHERE NEW.{at} IS NOT OLD.{at}; END",
        f"CREATE TRIGGER evaluation_trend_incident_delete AFTER DELETE ON {incident} "
        f"BEGIN INSERT INTO {log} ({at}) VALUES (OLD.{at}); END",
    ]


def _postgresql_triggers(q: Callable[[str], str]) -> dict[str, tuple[str, str]]:
    """Per trigger (and its function, of the same name): its table and the function's body."""
    log, at = q(TrendChange._meta.db_table), q("reported_at")
    old = ", ".join(f"OLD.{q(f)}" for f in WATCHED)
    new = ", ".join(f"NEW.{q(f)}" for f in WATCHED)
    return {
        "evaluation_trend_incident": (
            Incident._meta.db_table,
            "\nBEGIN\n"
            f"    IF TG_OP = 'UPDATE' AND ({old}) IS NOT DISTINCT FROM ({new}) THEN\n"
            "        RETURN NULL;\n"
            "    END IF;\n"
            "    IF TG_OP <> 'INSERT' THEN\n"
            f"        INSERT INTO {log} ({at}) VALUES (OLD.{at});\n"
            "    END IF;\n"
            f"    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.{at} <> OLD.{at}) THEN\n"
            f"        INSERT INTO {log} ({at}) VALUES (NEW.{at});\n"
            "    END IF;\n"
            "    RETURN NULL;\n"
            "END\n",
        ),
    }


def _sync_sqlite(cursor: Any, wanted: list[str]) -> bool:
    """Make the triggers exactly `wanted`; False when they were so already."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
        ["evaluation_trend_%"],
    )
    have = dict(cursor.fetchall())
    if sorted(have.values()) == sorted(wanted):
        return False
    for name in have:
        cursor.execute(f"DROP TRIGGER {name}")
    for statement in wanted:
        cursor.execute(statement)
    return True


def _sync_postgresql(
    cursor: Any, wanted: dict[str, tuple[str, str]], q: Callable[[str], str]
) -> bool:
    """Make the triggers and their functions exactly `wanted`; False when they were so."""
    names = list(TRIGGERS)
    cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [names])
    bodies = dict(cursor.fetchall())
    cursor.execute(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = ANY(%s) AND NOT t.tgisinternal",
        [names],
    )
    tables = dict(cursor.fetchall())
    if tables == {n: t for n, (t, _b) in wanted.items()} and bodies == {
        n: b for n, (_t, b) in wanted.items()
    }:
        return False
    for name in names:
        # Dropping a function drops its triggers.
        cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    for name, (table, body) in wanted.items():
        cursor.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        cursor.execute(
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {q(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    return True


def install_triggers(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """`post_migrate` receiver: make sure the triggers are there, as this code defines them.

    After every migrate rather than in a migration, because SQLite drops a table's triggers
    when a later migration rebuilds the table (as Django does to alter a column). When a
    trigger was missing or different, writes may have gone unlogged: every stored month is
    dropped too, and computed again at the next view. When all were in place, the stored
    months stay."""
    conn = connections[using]
    if conn.vendor not in ("sqlite", "postgresql"):
        return
    tables = set(conn.introspection.table_names())
    ready = {m._meta.db_table for m in (Incident, TrendChange, TrendMonth)} <= tables
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            wanted = _postgresql_triggers(conn.ops.quote_name) if ready else {}
            changed = _sync_postgresql(cursor, wanted, conn.ops.quote_name)
        else:
            changed = _sync_sqlite(cursor, _sqlite_triggers(conn.ops.quote_name) if ready else [])
        if changed and ready:
            TrendMonth.objects.using(using).all().delete()
            TrendChange.objects.using(using).all().delete()
