"""Per-integration rate limit: a fixed one-minute window counted in the database.

One conditional UPDATE (`count < limit` → `count + 1`) both checks and counts, atomically on
SQLite and PostgreSQL, so several web processes share one limit without Redis. It runs in a
short transaction of its own before the alerts are ingested: on PostgreSQL the counter row is
locked only for that UPDATE, not for the whole ingestion.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from warroom.alerts.models import Integration, RateWindow


def take(integration: Integration, *, now: dt.datetime | None = None) -> int:
    """Count one request. Returns 0 when it is allowed, else the seconds until the next
    window (for Retry-After, at least 1)."""
    limit = integration.rate_limit
    if not limit:
        return 0
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    counted = RateWindow.objects.filter(
        integration=integration, window=window, count__lt=limit
    ).update(count=F("count") + 1)
    if counted:
        return 0
    try:
        with transaction.atomic():
            RateWindow.objects.create(integration=integration, window=window, count=1)
    except IntegrityError:
        # The window's row exists: either it is full, or another request created it between
        # the UPDATE and the INSERT, and one more try settles which.
        counted = RateWindow.objects.filter(
            integration=integration, window=window, count__lt=limit
        ).update(count=F("count") + 1)
        if counted:
            return 0
        elapsed = (now - window).total_seconds()
        return max(1, math.ceil(60 - elapsed))
    # First request of a new window: the integration's old windows are of no use any more.
    RateWindow.objects.filter(integration=integration, window__lt=window).delete()
    return 0
