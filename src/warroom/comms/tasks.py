"""Huey tasks of the comms app: thin wrappers; the logic is in subscribers.py and reminders.py."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from warroom.comms import reminders, subscribers


@db_task()
def task_send_subscriber_delivery(delivery_id: int) -> None:
    """Send one subscriber message if it is still due; a doubled or stale task does nothing."""
    subscribers.send_due_delivery(delivery_id)


@db_periodic_task(crontab(minute="*"))
def task_sweep_subscriber_deliveries() -> None:
    """Every minute: re-enqueue subscriber messages whose task was lost."""
    subscribers.sweep()


@db_periodic_task(crontab(minute="*"))
def task_update_reminders() -> None:
    """Every minute: remind customer service of user updates the plan's cadence makes due."""
    reminders.send_due_reminders()
