"""The inbox between a sender's request and the incidents it opens.

`accept` stores what one request brought — already validated and turned into alerts — in one
INSERT, in the request's own short transaction; the sender is answered after that commit, so
an accepted alert is on disk before the 2xx. `process_pending` (run by the worker's inbox
loop every few milliseconds, and by tests directly) takes the waiting rows in the order they
arrived and hands their alerts to `services.ingest` in batches: a burst of requests costs one
transaction and a few set-based queries instead of a transaction per request.

Nothing accepted is dropped: a batch that fails is retried row by row; a row that keeps
failing is marked `failed` after MAX_ATTEMPTS with its error (listed on the alerts page and
counted in /metrics). While no plan is applied the rows wait (the webhooks answer 503 then
anyway). Several workers may run: each batch is read and deleted in one transaction that
holds the inbox lock (SQLite's write lock; an advisory lock on PostgreSQL), so a row is
processed once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from itertools import groupby

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from warroom.alerts import services
from warroom.alerts.models import Inbound, Integration
from warroom.alerts.normalize import Incoming
from warroom.plan.models import PlanVersion
from warroom.plan.queries import NoPlanError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH_ROWS = 200  # rows per transaction: up to 20,000 alerts of 100-alert webhooks
LOCK = "alerts:inbox"


def plan_applied() -> bool:
    """Whether incidents can be opened at all (a plan has been applied)."""
    return PlanVersion.objects.order_by().exists()


def accept(integration: Integration, items: Sequence[Incoming]) -> None:
    """Store one request's alerts for the worker. One INSERT, its own transaction (or the
    caller's): this runs for every inbound request, so it is written as plain SQL with the
    values prepared by the model's fields."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = Inbound._meta
    received = meta.get_field("received_at").get_db_prep_save(timezone.now(), db)
    payload = meta.get_field("items").get_db_prep_save([item.to_json() for item in items], db)
    quote = db.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({quote('integration_id')}, {quote('received_at')}, {quote('items')}, "
        f"{quote('attempts')}, {quote('failed')}, {quote('error')}) "
        "VALUES (%s, %s, %s, 0, %s, '')"
    )
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(sql, [integration.pk, received, payload, False])


def pending() -> int:
    return Inbound.objects.filter(failed=False).count()


def failed() -> int:
    return Inbound.objects.filter(failed=True).count()


def process_pending(*, limit: int = BATCH_ROWS) -> int:
    """Ingest up to `limit` waiting rows, oldest first; returns how many rows were taken off
    the inbox (processed, or marked failed). 0 means there was nothing to do — or no plan."""
    # A plain read first: an idle loop must not take the write lock hundreds of times a second.
    if not Inbound.objects.filter(failed=False).order_by().exists():
        return 0
    try:
        with transaction.atomic():
            _lock()
            rows = _oldest(limit)
            if not rows:
                return 0
            _ingest(rows)
            Inbound.objects.filter(pk__in=[row.pk for row in rows]).delete()
            return len(rows)
    except NoPlanError:
        return 0
    except Exception:
        log.exception("inbox: a batch failed; retrying its rows one by one")
    return _one_by_one(limit)


def _one_by_one(limit: int) -> int:
    done = 0
    for pk in (
        Inbound.objects.filter(failed=False).order_by("pk").values_list("pk", flat=True)[:limit]
    ):
        try:
            with transaction.atomic():
                _lock()
                row = Inbound.objects.filter(pk=pk, failed=False).first()
                if row is None:
                    continue  # another worker took it
                _ingest([row])
                row.delete()
                done += 1
        except NoPlanError:
            return done
        except Exception as exc:
            log.exception("inbox: row %s failed", pk)
            _record_failure(pk, exc)
            done += 1
    return done


def _record_failure(pk: int, exc: Exception) -> None:
    row = Inbound.objects.filter(pk=pk).first()
    if row is None:
        return
    row.attempts += 1
    row.error = f"{type(exc).__name__}: {exc}"[:2000]
    row.failed = row.attempts >= MAX_ATTEMPTS
    row.save(update_fields=["attempts", "error", "failed"])


def _oldest(limit: int) -> list[Inbound]:
    return list(
        Inbound.objects.filter(failed=False).select_related("integration").order_by("pk")[:limit]
    )


def _ingest(rows: list[Inbound]) -> None:
    """Each run of consecutive rows of one integration is one `ingest` call, timed at its
    last row's arrival (first_seen, windows and silences follow when alerts arrived, not
    when the worker got to them)."""
    for _, run in groupby(rows, key=lambda row: row.integration_id):
        batch = list(run)
        items = [Incoming.from_json(item) for row in batch for item in _items(row)]
        services.ingest(batch[0].integration, items, now=batch[-1].received_at)


def _items(row: Inbound) -> list[dict[str, object]]:
    # psycopg returns jsonb decoded, SQLite text may come back as a string on raw reads.
    value = row.items
    return json.loads(value) if isinstance(value, str) else list(value)


def _lock() -> None:
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [LOCK])


def oldest_wait(now: dt.datetime | None = None) -> float:
    """Seconds the oldest waiting row has waited (0 when none): the inbox's lag."""
    first = (
        Inbound.objects.filter(failed=False)
        .order_by("pk")
        .values_list("received_at", flat=True)[:1]
    )
    if not first:
        return 0.0
    return max(0.0, ((now or timezone.now()) - first[0]).total_seconds())
