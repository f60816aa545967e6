"""Huey tasks of the notify app: thin wrappers; the logic is in services (tested there)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from warroom.notify import services


@db_task()
def task_send_delivery(delivery_id: int) -> None:
    """Send one delivery if it is still due; a doubled or stale task finds nothing to claim."""
    services.send_due_delivery(delivery_id)


@db_periodic_task(crontab(minute="*"))
def task_sweep_deliveries() -> None:
    """Every minute: re-enqueue sends whose task was lost or whose worker died mid-send."""
    services.sweep()
