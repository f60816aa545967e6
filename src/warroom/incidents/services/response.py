"""§4.3 Respond and §4.5 Recover: playbook tasks, restores, leak assessment, user updates and
the recovery checklist."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.catalog.models import System
from warroom.incidents import messages
from warroom.incidents.models import (
    BackupRestore,
    CheckItem,
    Incident,
    LeakAssessment,
    RecoveryItem,
    Status,
    Task,
    UserUpdate,
)
from warroom.incidents.models.response import TaskStatus
from warroom.incidents.services.common import (
    after_seconds,
    notify,
    plan_for,
    require,
    require_open,
)
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import TEAM, after, transition
from warroom.lib.errors import DomainError

# Recovery items whose text is a check of systems are repeated for each affected system.
PER_SYSTEM_ITEMS = ("full_check",)


def start_response(incident: Incident, *, actor: User) -> Incident:
    """Orders are out: the response starts and the playbook becomes tasks (see below)."""
    return transition(incident, Status.RESPONDING, actor=actor)


@after(Status.RESPONDING)
def create_playbook_tasks(incident: Incident, actor: User | None) -> None:
    """The playbook of the incident's category, filtered by level, becomes tasks; the plan's
    recovery checklist becomes the items to sign. Re-entering responding adds only what is
    missing."""
    plan = plan_for(incident)
    playbook = plan.playbooks.get(incident.category)
    ranks = {level.code: level.rank for level in plan.impact_levels}
    rank = ranks.get(incident.level, 99)
    existing = set(Task.objects.filter(incident=incident).values_list("code", flat=True))
    created = []
    for task in playbook.tasks if playbook else []:
        if task.code in existing or (task.min_level and rank > ranks[task.min_level]):
            continue
        row = Task.objects.create(
            incident=incident,
            code=task.code,
            phase=task.phase,
            department=task.department,
            title_en=task.title.en,
            title_zh=task.title.zh,
            description_en=task.description.en if task.description else "",
            description_zh=task.description.zh if task.description else "",
            due_at=incident.due_mitigate if task.phase != "recovery" else incident.due_resolve,
        )
        CheckItem.objects.bulk_create(
            CheckItem(task=row, position=i, title_en=item.en, title_zh=item.zh)
            for i, item in enumerate(task.checklist)
        )
        created.append(task.code)
    if not RecoveryItem.objects.filter(incident=incident).exists():
        systems = list(incident.systems.all())
        for item in plan.recovery_checklist:
            for system in systems if item.code in PER_SYSTEM_ITEMS and systems else [None]:
                suffix = f" — {system.name}" if system else ""
                RecoveryItem.objects.create(
                    incident=incident,
                    code=item.code,
                    department=item.department,
                    system=system,
                    title_en=item.title.en + suffix,
                    title_zh=item.title.zh + suffix,
                )
    if created:
        append_event(incident, "tasks_created", actor=None, data={"tasks": created})


def update_task(
    task: Task,
    *,
    actor: User,
    status: str | None = None,
    assignee: User | bool | None = False,
    notes: str | None = None,
) -> Task:
    """Change a task's status, assignee (False = unchanged) or notes. Team members only."""
    incident = task.incident
    require(actor, incident, TEAM, _("work on tasks"))
    require_open(incident)
    if status is not None and status not in TaskStatus.values:
        raise DomainError(
            "status", _("must be one of %(values)s") % {"values": ", ".join(TaskStatus.values)}
        )
    changes: dict[str, object] = {}
    with transaction.atomic():
        if status is not None and status != task.status:
            task.status = status
            changes["status"] = status
            if status == TaskStatus.DONE:
                task.completed_by, task.completed_at = actor, timezone.now()
        if not isinstance(assignee, bool) or assignee is not False:
            person = assignee if isinstance(assignee, User) else None
            task.assignee = person
            changes["assignee"] = person.get_username() if person else None
        if notes is not None:
            task.notes = notes
            changes["notes"] = notes
        if changes:
            task.save()
            append_event(incident, "task", actor=actor, data={"task": task.code, **changes})
    return task


def check_item(item: CheckItem, *, actor: User, done: bool = True) -> CheckItem:
    incident = item.task.incident
    require(actor, incident, TEAM, _("work on tasks"))
    require_open(incident)
    with transaction.atomic():
        item.done_by, item.done_at = (actor, timezone.now()) if done else (None, None)
        item.save(update_fields=["done_by", "done_at"])
        append_event(
            incident,
            "check_item",
            actor=actor,
            data={"task": item.task.code, "item": item.title_en, "done": done},
        )
    return item


def record_restore(
    incident: Incident,
    *,
    actor: User,
    system: System,
    backup_ref: str,
    verified: bool,
    notes: str = "",
) -> BackupRestore:
    """A restore from backup: which backup, and whether the restored system was verified."""
    require(actor, incident, TEAM, _("record restores"))
    require_open(incident)
    if not backup_ref.strip():
        raise DomainError("backup_ref", _("say which backup was restored"))
    with transaction.atomic():
        restore = BackupRestore.objects.create(
            incident=incident,
            system=system,
            backup_ref=backup_ref.strip(),
            verified=verified,
            notes=notes,
            recorded_by=actor,
        )
        append_event(
            incident,
            "restore",
            actor=actor,
            data={"system": system.name, "backup": restore.backup_ref, "verified": verified},
        )
    return restore


def record_leak_assessment(
    incident: Incident,
    *,
    actor: User,
    data_kinds: str,
    records_affected: int | None,
    hole: str = "",
    hole_closed_at: dt.datetime | None = None,
) -> LeakAssessment:
    """Security's assessment of a data leak: what data, how many records, the hole."""
    require(
        actor, incident, {"admin", "security", "deputy", "commander"}, _("assess the data leak")
    )
    require_open(incident)
    if records_affected is not None and records_affected < 0:
        raise DomainError("records_affected", _("cannot be negative"))
    with transaction.atomic():
        leak, _created = LeakAssessment.objects.get_or_create(incident=incident)
        leak.data_kinds, leak.records_affected = data_kinds, records_affected
        leak.hole, leak.hole_closed_at, leak.assessed_by = hole, hole_closed_at, actor
        leak.save()
        append_event(
            incident,
            "leak_assessment",
            actor=actor,
            data={
                "data_kinds": data_kinds,
                "records_affected": records_affected,
                "hole": hole,
                "hole_closed": hole_closed_at is not None,
            },
        )
    return leak


def record_legal_decision(
    incident: Incident,
    *,
    actor: User,
    notify_authorities: bool,
    notify_users: bool,
    reasoning: str,
) -> LeakAssessment:
    """Legal decides whether the authorities and the users must be told; the decision is kept."""
    require(actor, incident, {"admin", "legal"}, _("record the legal decision"))
    require_open(incident)
    if not reasoning.strip():
        raise DomainError("reasoning", _("give the reasoning"))
    with transaction.atomic():
        leak, _created = LeakAssessment.objects.get_or_create(incident=incident)
        leak.notify_authorities, leak.notify_users = notify_authorities, notify_users
        leak.legal_reasoning, leak.decided_by, leak.decided_at = reasoning, actor, timezone.now()
        leak.save()
        append_event(
            incident,
            "legal_decision",
            actor=actor,
            data={
                "notify_authorities": notify_authorities,
                "notify_users": notify_users,
                "reasoning": reasoning,
            },
        )
    return leak


def post_user_update(
    incident: Incident, *, actor: User, text: str, eta: dt.datetime | None
) -> UserUpdate:
    """Customer service tells users what happened and when it is expected resolved; the next
    update falls due after the level's update interval."""
    require(actor, incident, TEAM, _("post user updates"))
    require_open(incident)
    if not text.strip():
        raise DomainError("text", _("required"))
    with transaction.atomic():
        update = UserUpdate.objects.create(
            incident=incident, text=text.strip(), eta=eta, posted_by=actor
        )
        level = plan_for(incident).level(incident.level) if incident.level else None
        if level:
            incident.next_update_due = after_seconds(
                update.posted_at, level.targets.seconds()["user_update_every"]
            )
            incident.save(update_fields=["next_update_due"])
        append_event(
            incident,
            "user_update",
            actor=actor,
            data={"text": update.text, "eta": eta.isoformat() if eta else None},
        )
    return update


@after(Status.RESOLVED)
def tell_participants(incident: Incident, actor: User | None) -> None:
    """Everyone on the incident, the reporter included, hears that it is resolved."""
    people = [p.user for p in incident.participants.select_related("user")]
    notify(
        incident,
        [u for u in people if actor is None or u.pk != actor.pk],
        messages.state_changed(incident),
    )


def start_recovery(incident: Incident, *, actor: User) -> Incident:
    """The fix is in (mitigated): clean-up and recovery start (plan §4.5)."""
    return transition(incident, Status.RECOVERING, actor=actor)


def resume_response(incident: Incident, *, actor: User, reason: str) -> Incident:
    """The fix did not hold: back to responding."""
    return transition(incident, Status.RESPONDING, actor=actor, reason=reason)


def sign_recovery_item(item: RecoveryItem, *, actor: User, notes: str = "") -> RecoveryItem:
    incident = item.incident
    require(actor, incident, TEAM, _("sign the recovery checklist"))
    if incident.status not in (Status.RESPONDING, Status.RECOVERING):
        raise DomainError("status", _("the recovery checklist is signed while recovering"))
    if item.signed_at is not None:
        raise DomainError("item", _("already signed"))
    with transaction.atomic():
        item.signed_by, item.signed_at, item.notes = actor, timezone.now(), notes
        item.save(update_fields=["signed_by", "signed_at", "notes"])
        append_event(
            incident,
            "recovery_signed",
            actor=actor,
            data={
                "item": item.code,
                "system": item.system.name if item.system else None,
                "notes": notes,
            },
        )
    return item
