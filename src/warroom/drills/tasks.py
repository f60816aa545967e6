"""Queue tasks of drills: thin wrappers; the logic is in sending.py (tested there)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from warroom.drills import sending


@db_task()
def task_send_inject(inject_id: int) -> bool:
    """Send one inject if it is still due and unsent; a doubled or stale task does nothing."""
    return sending.send_inject(inject_id)


@db_periodic_task(crontab(minute="*"))
def task_sweep_injects() -> int:
    """Every minute: re-enqueue injects whose task was lost."""
    return sending.sweep()
