"""Huey tasks of the plan app: thin wrappers; the logic is in plan.revisions (tested there)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from warroom.plan import revisions


@db_task()
def task_apply_revision(revision_id: int) -> None:
    """Apply one approved revision that is due; a doubled or early task does nothing."""
    revisions.apply_revision(revision_id)


@db_periodic_task(crontab(minute="5"))
def task_apply_due_revisions() -> None:
    """Hourly: apply approved revisions whose effective date has come (the sweep that also
    catches a lost task_apply_revision)."""
    revisions.apply_due_revisions()


@db_periodic_task(crontab(minute="35"))
def task_remind_plan_review() -> None:
    """Hourly: remind the commander and deputy once when the plan is due for review."""
    revisions.remind_plan_review()
