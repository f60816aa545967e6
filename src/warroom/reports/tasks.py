"""Huey tasks of the reports app: thin wrappers; the logic is in services (tested there)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from warroom.reports import services


@db_periodic_task(crontab(minute="20"))
def task_remind_action_items() -> None:
    """Hourly: remind owners of action items due within a day or overdue (once per due
    date; hourly rather than daily so a worker that was down catches up soon)."""
    services.remind_action_items()
