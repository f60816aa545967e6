"""Queue tasks of paging: thin wrappers that re-read the rows (services.run_step, sweep)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from warroom.paging import services


@db_task()
def task_escalation_step(paging_id: int, step: int, round: int) -> bool:
    return services.run_step(paging_id, step=step, round=round)


@db_periodic_task(crontab(minute="*"))
def task_sweep_pagings() -> int:
    return services.sweep()
