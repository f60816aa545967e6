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
import logging
import time
from collections.abc import Sequence
from itertools import groupby

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.utils import timezone

from warroom.alerts import services, stores, wakeup
from warroom.alerts.models import Integration
from warroom.alerts.normalize import Incoming
from warroom.alerts.stores import MAX_ATTEMPTS, Row
from warroom.plan.models import PlanVersion
from warroom.plan.queries import NoPlanError

__all__ = ["MAX_ATTEMPTS", "RowFailed", "accept", "failed", "pending", "process_pending"]

log = logging.getLogger(__name__)

BATCH_ROWS = 500  # rows per transaction (PagerDuty events come one per row)
BATCH_ALERTS = 2000  # and alerts: twenty 100-alert webhooks take about 80 ms to route
LOCK = "alerts:inbox"


class RowFailed(RuntimeError):
    """A row failed on its own and will be tried again; the rows after it wait (they must
    not overtake it: a resolve would be routed before its trigger). The worker's loop pauses
    a few seconds on it."""


# Every inbound request asks whether a plan is applied. Once one is, it stays (warroom never
# deletes a version), so each process takes a yes as good for PLAN_CACHE_SECONDS; a no is
# asked again every time (the webhooks answer 503 then, and should stop as soon as a plan
# is applied).
PLAN_CACHE_SECONDS = 1.0
_plan_seen_at: float | None = None


def plan_applied() -> bool:
    """Whether incidents can be opened at all (a plan has been applied)."""
    global _plan_seen_at
    now = time.monotonic()
    if _plan_seen_at is not None and now - _plan_seen_at < PLAN_CACHE_SECONDS:
        return True
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {db.ops.quote_name(PlanVersion._meta.db_table)} LIMIT 1")
        applied = cursor.fetchone() is not None
    _plan_seen_at = now if applied else None
    return applied


def forget_plan(**kwargs: object) -> None:
    """Ask the database again next time (connected to PlanVersion's post_delete)."""
    global _plan_seen_at
    _plan_seen_at = None


def accept(integration: Integration, items: Sequence[Incoming]) -> None:
    """Store one request's alerts for the worker, committed when this returns."""
    stores.current().insert(integration.pk, [item.to_json() for item in items])
    wakeup.nudge()


def pending() -> int:
    return stores.current().pending()


def failed() -> int:
    return stores.current().failed()


def failed_requests(limit: int = 50) -> list[Row]:
    """Requests kept after failing to route, oldest first, with their errors."""
    return stores.current().failed_rows(limit)


def retry_failed(pk: int) -> bool:
    """Put a failed request back in line; the worker routes it next (after what waits)."""
    return stores.current().retry(pk)


def oldest_wait(now: dt.datetime | None = None) -> float:
    """Seconds the oldest waiting row has waited (0 when none): the inbox's lag."""
    oldest = stores.current().oldest()
    if oldest is None:
        return 0.0
    return max(0.0, ((now or timezone.now()) - oldest).total_seconds())


def process_pending(*, limit: int = BATCH_ROWS) -> int:
    """Route up to `limit` waiting rows, oldest first; returns how many rows were taken off
    the inbox (routed, or marked failed for good). 0 means there was nothing to do — or no
    plan. Raises RowFailed when a row failed and will be tried again."""
    store = stores.current()
    # A plain read first: an idle loop must not take the write lock hundreds of times a second.
    if not store.waiting():
        return 0
    try:
        with transaction.atomic():
            _lock()
            rows = store.take(limit, BATCH_ALERTS)
            if not rows:
                return 0
            _ingest(rows)
            store.done(rows)
            return len(rows)
    except NoPlanError:
        return 0
    except Exception:
        log.exception("inbox: a batch failed; routing its rows one by one")
    return _one_by_one(store, limit)


def _one_by_one(store: stores.Store, limit: int) -> int:
    done = 0
    while done < limit:
        row: Row | None = None
        try:
            with transaction.atomic():
                _lock()
                taken = store.take(1, 1)
                if not taken:
                    break
                row = taken[0]
                _ingest([row])
                store.done([row])
        except NoPlanError:
            break
        except OperationalError:
            # The database itself (locked past the timeout, gone): not the row's fault, so
            # not an attempt. The loop pauses and tries again.
            raise
        except Exception as exc:
            if row is None:
                raise
            log.exception("inbox: row %s failed", row.pk)
            if not store.fail(row, f"{type(exc).__name__}: {exc}"[:2000]):
                raise RowFailed(f"inbox row {row.pk}: {exc}") from exc
        done += 1
    return done


def _ingest(rows: list[Row]) -> None:
    """Each run of consecutive rows of one integration is one `ingest` call, timed at its
    last row's arrival (first_seen, windows and silences follow when alerts arrived, not
    when the worker got to them). An integration deleted since has nothing to route to."""
    integrations = Integration.objects.select_related("default_system").in_bulk(
        {row.integration_id for row in rows}
    )
    for integration_id, run in groupby(rows, key=lambda row: row.integration_id):
        batch = list(run)
        integration = integrations.get(integration_id)
        if integration is None:
            log.warning(
                "inbox: integration %s is gone; %d rows dropped", integration_id, len(batch)
            )
            continue
        items = [Incoming.from_json(item) for row in batch for item in row.items]
        services.ingest(integration, items, now=batch[-1].received_at)


def _lock() -> None:
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [LOCK])
