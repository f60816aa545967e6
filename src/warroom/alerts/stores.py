"""Where accepted requests wait for the worker: the two stores behind `alerts.inbox`.

- `TableStore`: the `Inbound` table in the main database (PostgreSQL, and the tests' SQLite
  in memory). The worker deletes the rows it routed in the routing transaction itself.
- `FileStore`: a SQLite file of its own beside a SQLite main database (`<name>-inbox.sqlite3`).
  SQLite has one write lock per file: with the inbox in the main file, every request the web
  server accepts would wait for the worker's routing transaction (tens of milliseconds),
  and SQLite's busy handler sleeps in steps of milliseconds while it waits. In a file of its
  own, an accepted request only waits for other accepts. Rows are numbered in commit order
  (the file's writers are serialised and ids never reused), so the worker records the last
  routed id in the main database (`InboxCursor`) in the routing transaction — once there,
  a row is never routed again — and deletes routed rows from the file after the commit.

Both keep a row that keeps failing, marked failed with its error, for someone to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from warroom.alerts.models import Inbound, InboxCursor
from warroom.lib import rows

MAX_ATTEMPTS = 5


@dataclass
class Row:
    pk: int
    integration_id: int
    received_at: dt.datetime
    items: list[dict[str, Any]]
    attempts: int
    error: str = ""


class Store(Protocol):
    def insert(self, integration_id: int, items: list[dict[str, Any]]) -> None: ...

    def take(self, limit: int, max_alerts: int) -> list[Row]:
        """The oldest waiting rows (in the caller's transaction, under the inbox lock)."""
        ...

    def done(self, rows: list[Row]) -> None:
        """Mark `rows` routed, in the caller's transaction."""
        ...

    def fail(self, row: Row, error: str) -> bool:
        """Record a failed attempt; True when it was the last (the row is marked failed)."""
        ...

    def waiting(self) -> bool:
        """Whether any row waits (one indexed read: the idle loop asks every few ms)."""
        ...

    def failed_rows(self, limit: int) -> list[Row]:
        """The oldest rows kept as failed, with their errors."""
        ...

    def retry(self, pk: int) -> bool:
        """Put a failed row back in line (at its end); False when there is no such row."""
        ...

    def pending(self) -> int: ...

    def failed(self) -> int: ...

    def oldest(self) -> dt.datetime | None: ...


def _choose(sizes: list[tuple[int, int]], max_alerts: int) -> list[int]:
    """The ids of the longest prefix of (id, size) holding about `max_alerts` alerts (at
    least one row): a batch holds the main database's write lock while it is routed."""
    chosen, alerts = [], 0
    for pk, size in sizes:
        chosen.append(pk)
        alerts += size
        if alerts >= max_alerts:
            break
    return chosen


class TableStore:
    def insert(self, integration_id: int, items: list[dict[str, Any]]) -> None:
        # Plain SQL (lib.rows): this runs for every request. One statement in autocommit,
        # committed when it returns, in one round trip.
        row = Inbound(
            integration_id=integration_id, received_at=timezone.now(), items=items, size=len(items)
        )
        rows.insert([row])

    def take(self, limit: int, max_alerts: int) -> list[Row]:
        waiting = Inbound.objects.filter(failed=False).order_by("pk")
        chosen = _choose(list(waiting.values_list("pk", "size")[:limit]), max_alerts)
        return [
            Row(r.pk, r.integration_id, r.received_at, _decoded(r.items), r.attempts)
            for r in waiting.filter(pk__in=chosen)
        ]

    def done(self, rows: list[Row]) -> None:
        Inbound.objects.filter(pk__in=[row.pk for row in rows]).delete()

    def fail(self, row: Row, error: str) -> bool:
        attempts = row.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        Inbound.objects.filter(pk=row.pk).update(attempts=attempts, error=error, failed=final)
        return final

    def waiting(self) -> bool:
        return Inbound.objects.filter(failed=False).order_by().exists()

    def failed_rows(self, limit: int) -> list[Row]:
        return [
            Row(r.pk, r.integration_id, r.received_at, _decoded(r.items), r.attempts, r.error)
            for r in Inbound.objects.filter(failed=True).order_by("pk")[:limit]
        ]

    def retry(self, pk: int) -> bool:
        return bool(
            Inbound.objects.filter(pk=pk, failed=True).update(failed=False, attempts=0, error="")
        )

    def pending(self) -> int:
        return Inbound.objects.filter(failed=False).count()

    def failed(self) -> int:
        return Inbound.objects.filter(failed=True).count()

    def oldest(self) -> dt.datetime | None:
        first = Inbound.objects.filter(failed=False).order_by("pk").values_list("received_at")
        return first[0][0] if first else None


class FileStore:
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS inbound ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"  # AUTOINCREMENT: ids are never reused
        " integration_id INTEGER NOT NULL,"
        " received_at TEXT NOT NULL,"
        " items TEXT NOT NULL,"
        " size INTEGER NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " failed INTEGER NOT NULL DEFAULT 0,"
        " error TEXT NOT NULL DEFAULT '')"
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        # The cursor as last read or committed here: the idle check compares the file with it
        # instead of asking the database every few milliseconds. It can only lag behind the
        # database (another worker moved on), which costs one empty batch, never a lost row.
        self._known = 0

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # Autocommit: each INSERT is its own transaction, committed before the answer.
            db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(self.SCHEMA)
            self._local.db = db
        return db

    def insert(self, integration_id: int, items: list[dict[str, Any]]) -> None:
        self._db().execute(
            "INSERT INTO inbound (integration_id, received_at, items, size) VALUES (?, ?, ?, ?)",
            (integration_id, timezone.now().isoformat(), json.dumps(items), len(items)),
        )

    def _cursor(self, *, lock: bool) -> int:
        rows = InboxCursor.objects.filter(pk=1)
        found = (rows.select_for_update() if lock else rows).values_list("last_id", flat=True)
        if found:
            return int(found[0])
        if lock:
            InboxCursor.objects.get_or_create(pk=1)
        return 0

    def take(self, limit: int, max_alerts: int) -> list[Row]:
        after = self._known = self._cursor(lock=True)
        db = self._db()
        sizes = db.execute(
            "SELECT id, size FROM inbound WHERE id > ? AND failed = 0 ORDER BY id LIMIT ?",
            (after, limit),
        )
        # Sizes first: reading the alerts of rows that are not taken would cost more than
        # routing the ones that are.
        chosen = _choose(list(sizes), max_alerts)
        if not chosen:
            return []
        found = db.execute(
            "SELECT id, integration_id, received_at, items, attempts FROM inbound "
            "WHERE id BETWEEN ? AND ? AND failed = 0 ORDER BY id",
            (chosen[0], chosen[-1]),
        )
        return [
            Row(pk, integration, dt.datetime.fromisoformat(at), json.loads(items), attempts)
            for pk, integration, at, items, attempts in found
        ]

    def done(self, rows: list[Row]) -> None:
        last = rows[-1].pk
        InboxCursor.objects.filter(pk=1).update(last_id=last)
        transaction.on_commit(partial(self._forget, last))

    def _forget(self, last: int) -> None:
        self._known = max(self._known, last)
        self._db().execute("DELETE FROM inbound WHERE id <= ? AND failed = 0", (last,))

    def fail(self, row: Row, error: str) -> bool:
        attempts = row.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        self._db().execute(
            "UPDATE inbound SET attempts = ?, error = ?, failed = ? WHERE id = ?",
            (attempts, error, int(final), row.pk),
        )
        if final:
            # Kept in the file, marked failed; the rows after it may go now.
            with transaction.atomic():
                self._cursor(lock=True)
                InboxCursor.objects.filter(pk=1, last_id__lt=row.pk).update(last_id=row.pk)
        return final

    def waiting(self) -> bool:
        # The newest id against the cursor: no count over a backlog.
        newest = self._db().execute("SELECT max(id) FROM inbound WHERE failed = 0").fetchone()[0]
        return newest is not None and newest > self._known

    def failed_rows(self, limit: int) -> list[Row]:
        found = self._db().execute(
            "SELECT id, integration_id, received_at, items, attempts, error FROM inbound "
            "WHERE failed = 1 ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            Row(pk, integration, dt.datetime.fromisoformat(at), json.loads(items), tries, error)
            for pk, integration, at, items, tries, error in found
        ]

    def retry(self, pk: int) -> bool:
        # The cursor has passed the row: it goes back in line as a new row, at the end.
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            copied = db.execute(
                "INSERT INTO inbound (integration_id, received_at, items, size) "
                "SELECT integration_id, received_at, items, size FROM inbound "
                "WHERE id = ? AND failed = 1",
                (pk,),
            ).rowcount
            db.execute("DELETE FROM inbound WHERE id = ? AND failed = 1", (pk,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return bool(copied)

    def pending(self) -> int:
        after = self._cursor(lock=False)
        query = "SELECT count(*) FROM inbound WHERE id > ? AND failed = 0"
        return int(self._db().execute(query, (after,)).fetchone()[0])

    def failed(self) -> int:
        return int(
            self._db().execute("SELECT count(*) FROM inbound WHERE failed = 1").fetchone()[0]
        )

    def oldest(self) -> dt.datetime | None:
        after = self._cursor(lock=False)
        query = "SELECT min(received_at) FROM inbound WHERE id > ? AND failed = 0"
        found = self._db().execute(query, (after,)).fetchone()[0]
        return dt.datetime.fromisoformat(found) if found else None


def _decoded(items: Any) -> list[dict[str, Any]]:
    # psycopg returns jsonb decoded; a JSON text column may come back as a string.
    return json.loads(items) if isinstance(items, str) else list(items)


_table_store = TableStore()


def current() -> Store:
    """The file store beside a SQLite database file; the table store otherwise (PostgreSQL,
    and SQLite in memory — the tests' — where web and worker share one process anyway)."""
    settings = connections[DEFAULT_DB_ALIAS].settings_dict
    return _store_for(settings["ENGINE"], str(settings.get("NAME") or ""))


@lru_cache(maxsize=8)  # decided once per database setting: every accepted request asks
def _store_for(engine: str, name: str) -> Store:
    if not engine.endswith("sqlite3") or name in ("", ":memory:") or name.startswith("file:"):
        return _table_store
    path = Path(name)
    return FileStore(path.with_name(f"{path.stem}-inbox.sqlite3"))
