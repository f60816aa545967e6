"""Huey tasks of the on-call app: thin wrappers; the logic is in services (tested there)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from warroom.oncall import services


@db_periodic_task(crontab(minute="*"))
def task_send_handoff_notices() -> None:
    """Every minute: tell the people whose shift has just begun; a repeat sends nothing."""
    services.send_handoff_notices(timezone.now())
