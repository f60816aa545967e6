"""Doubled tasks racing for one row on PostgreSQL: the row is sent once.

SQLite is left out: its in-memory test database is shared between threads through a shared
cache whose table locks fail at once instead of waiting, which says nothing about the file
database the product runs on. The claim on SQLite is a single conditional UPDATE, covered by
test_claim_only_once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.utils import timezone

from tests.notify.conftest import HttpSink
from warroom.notify.models import Delivery
from warroom.notify.services import claim_delivery, send_due_delivery


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")


def _row_without_task(user: User) -> Delivery:
    # Written directly: queue_deliveries in a committing test would run its task at once
    # (Huey immediate mode), before the race this test stages.
    method = user.contact_methods.get()
    return Delivery.objects.create(
        recipient=user,
        contact_method=method,
        label=method.label,
        scheme=method.scheme,
        subject="Paged",
        body="twice?",
        language="en",
        next_attempt_at=timezone.now(),
    )


def _in_thread(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return fn()
        finally:
            connections.close_all()  # each thread has its own connection

    return run


@pytest.mark.django_db(transaction=True)
def test_doubled_tasks_send_once(
    postgresql_only: None, person: Callable[..., User], http_sink: HttpSink
) -> None:
    row = _row_without_task(person("ann", http_sink.url()))
    start = threading.Barrier(8)

    def task() -> object:
        start.wait()
        return send_due_delivery(row.pk)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _in_thread(task)(), range(8)))

    assert sum(result is not None for result in results) == 1
    assert len(http_sink.received) == 1
    assert Delivery.objects.values_list("status", "attempts").get(pk=row.pk) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_claim_skips_a_row_locked_by_another_worker(
    postgresql_only: None, person: Callable[..., User]
) -> None:
    row = _row_without_task(person("ann", "json://127.0.0.1:9/"))
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> object:
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=row.pk)
            locked.set()
            release.wait(10)
        return None

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(_in_thread(hold_lock))
        assert locked.wait(10)
        # Passes over the locked row at once rather than waiting for it.
        assert claim_delivery(row.pk) is None
        release.set()
        holder.result(timeout=10)

    claimed = claim_delivery(row.pk)
    assert claimed is not None
    assert claimed.attempts == 1
