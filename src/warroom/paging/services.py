"""Paging: run an escalation policy for an incident until someone acknowledges.

The timer is the row: `Paging.next_step_at` says when the next step is due. A queue task is
scheduled for that moment on commit; it locks the row, checks the step and round it was
scheduled for are still the current ones and that nobody has acknowledged, pages, and
schedules the following step. A stale or doubled task finds the row moved on and does
nothing; a lost task is found again by `sweep`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.incidents import messages
from warroom.incidents.models import Incident, Participant, Status
from warroom.incidents.services.common import add_participants, plan_for, role_holders
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import after, on_report
from warroom.lib.errors import Conflict, DomainError
from warroom.notify.models import Delivery
from warroom.notify.services import Message, cancel_waiting, queue_page
from warroom.paging.models import EscalationPolicy, NotificationRule, Paging
from warroom.people.models import ContactMethod

log = logging.getLogger(__name__)

DEFAULT_WAIT_MINUTES = 5
DEFAULT_REPEAT = 2
# A due step older than this has lost its task.
LOST_STEP_GRACE = dt.timedelta(seconds=15)
DUE_BATCH = 100  # steps per pass of the escalation loop
ACK_SALT = "warroom.paging.ack"
ACK_MAX_AGE = 24 * 3600
TARGET_TYPES = ("person", "schedule", "role")


# --- policies ---------------------------------------------------------------------------


def plan_steps(incident: Incident) -> list[dict[str, Any]]:
    """The built-in policy, from the plan: the commander, the deputy and the representatives
    of the departments owning the affected systems; then their named backups."""
    plan = plan_for(incident)
    owners = set(incident.systems.values_list("owner_department__code", flat=True))
    roles = [r.code for r in plan.team.roles if r.kind in ("commander", "deputy")]
    roles += [r.code for r in plan.team.roles if r.kind == "member" and r.department in owners]
    return [
        {
            "wait_minutes": DEFAULT_WAIT_MINUTES,
            "targets": [{"type": "role", "role": code, "backup": False} for code in roles],
        },
        {
            "wait_minutes": DEFAULT_WAIT_MINUTES,
            "targets": [{"type": "role", "role": code, "backup": True} for code in roles],
        },
    ]


def check_steps(steps: Any) -> list[dict[str, Any]]:
    """Validate a policy's steps; raises DomainError naming the bad part."""
    if not isinstance(steps, list) or not steps:
        raise DomainError("steps", _("a policy needs at least one step"))
    clean = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise DomainError(f"steps[{i}]", _("must be an object"))
        wait = step.get("wait_minutes", DEFAULT_WAIT_MINUTES)
        if not isinstance(wait, int) or not 0 <= wait <= 1440:
            raise DomainError(f"steps[{i}].wait_minutes", _("a whole number from 0 to 1440"))
        targets = step.get("targets")
        if not isinstance(targets, list) or not targets:
            raise DomainError(f"steps[{i}].targets", _("name at least one target"))
        for j, target in enumerate(targets):
            kind = target.get("type") if isinstance(target, dict) else None
            where = f"steps[{i}].targets[{j}]"
            if kind not in TARGET_TYPES:
                raise DomainError(where, _("type must be person, schedule or role"))
            if (
                kind == "person"
                and not User.objects.filter(username=target.get("username", "")).exists()
            ):
                raise DomainError(
                    where, _("unknown person %(name)r") % {"name": target.get("username")}
                )
            if kind == "role" and not target.get("role"):
                raise DomainError(where, _("name a plan role"))
            if kind == "schedule" and not _schedule_exists(str(target.get("schedule", ""))):
                raise DomainError(
                    where, _("unknown schedule %(name)r") % {"name": target.get("schedule")}
                )
        clean.append({"wait_minutes": wait, "targets": targets})
    return clean


def save_policy(
    policy: EscalationPolicy | None,
    *,
    name: str,
    steps: Any,
    repeat: int = 1,
    description: str = "",
    is_default: bool = False,
) -> EscalationPolicy:
    if not name.strip():
        raise DomainError("name", _("required"))
    if not 0 <= repeat <= 10:
        raise DomainError("repeat", _("a whole number from 0 to 10"))
    clean = check_steps(steps)
    same_name = EscalationPolicy.objects.filter(name=name.strip())
    if policy is not None:
        same_name = same_name.exclude(pk=policy.pk)
    if same_name.exists():
        raise Conflict("name", _("a policy named %(name)r already exists") % {"name": name})
    with transaction.atomic():
        target = policy or EscalationPolicy()
        target.name, target.steps, target.repeat = name.strip(), clean, repeat
        target.description, target.is_default = description, is_default
        target.save()
        if is_default:
            EscalationPolicy.objects.exclude(pk=target.pk).update(is_default=False)
    return target


def _schedule_exists(name: str) -> bool:
    try:
        from warroom.oncall.models import Schedule
    except ImportError:  # on-call schedules not installed
        return False
    return Schedule.objects.filter(name=name).exists()


# --- paging -------------------------------------------------------------------------------


@on_report
def _page_on_report(
    incident: Incident, reporter: User | None, *, escalation_policy: int | None
) -> None:
    start_paging(incident, policy_id=escalation_policy)


def start_paging(incident: Incident, *, policy_id: int | None = None) -> Paging:
    """Copy the policy with the id `policy_id` — or, when that is None or the policy is gone,
    the default policy, else the plan's own — onto the incident and run its first step, in
    the caller's transaction: the delivery rows are written with the report.

    The caller holds `incident` in that transaction (report_incident has just created it),
    so the first step runs on these objects without reading or locking them again."""
    policy = None
    if policy_id is not None:
        policy = EscalationPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        policy = EscalationPolicy.objects.filter(is_default=True).first()
    if policy is not None:
        name, steps, repeat = policy.name, policy.steps, policy.repeat
    else:
        name, steps, repeat = "plan", plan_steps(incident), DEFAULT_REPEAT
    paging = Paging.objects.create(
        incident=incident,
        policy_name=name,
        steps=steps,
        repeat=repeat,
        next_step_at=timezone.now(),
    )
    _page_step(paging)
    return paging


def run_step(paging_id: int, *, step: int, round: int) -> bool:
    """Run step `step` of round `round` if it is still the current one and due, and nobody
    has acknowledged; returns whether anything was done. Safe to call twice."""
    with transaction.atomic():
        paging = (
            Paging.objects.select_for_update()
            .select_related("incident")
            .filter(pk=paging_id)
            .first()
        )
        if paging is None or paging.state != Paging.State.ACTIVE:
            return False
        if (paging.step, paging.round) != (step, round):
            return False  # stale: the row has moved on
        if paging.next_step_at is None or paging.next_step_at > timezone.now():
            return False  # early: the task came before its time
        if paging.incident.status != Status.REPORTED:
            # Acknowledged (or ended) some other way: nobody more to wake.
            paging.state, paging.next_step_at = Paging.State.STOPPED, None
            paging.save(update_fields=["state", "next_step_at"])
            return False
        _page_step(paging)
    return True


def _page_step(paging: Paging) -> None:
    """Page the targets of `paging`'s current step and move on to the next one. The caller
    holds the paging row and its incident in this transaction: run_step's SELECT … FOR
    UPDATE locks both rows (on SQLite the whole database), start_paging created the one and
    was handed the other by the transaction that created it."""
    incident = paging.incident
    spec = paging.steps[paging.step]
    people = resolve_targets(incident, spec.get("targets", []))
    add_participants(incident, people, actor=None)
    for user in {u.pk: u for u, _role in people}.values():
        page_person(incident, user)
    append_event(
        incident,
        "paged",
        actor=None,
        data={
            "policy": paging.policy_name,
            "step": paging.step + 1,
            "round": paging.round + 1,
            "people": sorted({u.get_username() for u, _r in people}),
        },
        locked=True,
    )
    _advance(paging, wait_minutes=int(spec.get("wait_minutes", DEFAULT_WAIT_MINUTES)))


def _advance(paging: Paging, *, wait_minutes: int) -> None:
    step, round = paging.step + 1, paging.round
    if step >= len(paging.steps):
        step, round = 0, round + 1
    if round > paging.repeat:
        paging.state, paging.next_step_at = Paging.State.EXHAUSTED, None
        paging.save(update_fields=["state", "next_step_at"])
        append_event(
            paging.incident,
            "paging_exhausted",
            actor=None,
            data={"policy": paging.policy_name},
            locked=True,
        )
        return
    paging.step, paging.round = step, round
    paging.next_step_at = timezone.now() + dt.timedelta(minutes=wait_minutes)
    paging.save(update_fields=["step", "round", "next_step_at"])
    if not _loop_here:
        transaction.on_commit(partial(_schedule, paging.pk, step, round, paging.next_step_at))


# True in the worker process while its escalation loop runs (core.loops): the loop runs
# every due step within a tenth of a second, so a step scheduled by code running there
# needs no queue task of its own (a write to the queue on the hot path of every page).
_loop_here = False


def steps_run_here(running: bool) -> None:
    """Say whether this process runs the escalation loop (`run_due`)."""
    global _loop_here
    _loop_here = running


def _schedule(paging_id: int, step: int, round: int, when: dt.datetime) -> None:
    from warroom.paging.tasks import task_escalation_step

    task_escalation_step.schedule(args=(paging_id, step, round), eta=when)


def resolve_targets(
    incident: Incident, targets: Iterable[dict[str, Any]]
) -> list[tuple[User, str]]:
    """The people a step's targets name now: (person, the role they are paged in)."""
    targets = list(targets)
    # The holders of every role the step names, in one query: this runs as an incident opens.
    role_targets = [t for t in targets if t.get("type") == "role"]
    roles = [str(t.get("role", "")) for t in role_targets]
    backups = any(t.get("backup") for t in role_targets)
    holders: dict[str, list[Any]] = {}
    for membership in role_holders(roles, backups=backups) if roles else []:
        holders.setdefault(membership.role.code, []).append(membership)
    people: list[tuple[User, str]] = []
    for target in targets:
        kind = target.get("type")
        if kind == "person":
            user = User.objects.filter(username=target.get("username"), is_active=True).first()
            if user is not None:
                people.append((user, "oncall"))
        elif kind == "role":
            for membership in holders.get(str(target.get("role", "")), []):
                person = membership.backup if target.get("backup") else membership.person
                if person is not None and person.is_active:
                    people.append((person, membership.role.code))
        elif kind == "schedule":
            people += [(u, "oncall") for u in _on_call(str(target.get("schedule", "")))]
    return people


def _on_call(schedule_name: str) -> list[User]:
    try:
        from warroom.oncall.models import Schedule
        from warroom.oncall.queries import on_call
    except ImportError:
        return []
    schedule = Schedule.objects.filter(name=schedule_name).first()
    return list(on_call(schedule)) if schedule else []


def page_person(incident: Incident, user: User) -> list[Delivery]:
    """Page one person by their notification rules (all methods at once when they have none)."""
    rules = list(NotificationRule.objects.filter(user=user).select_related("contact_method"))
    if rules:
        plan = [(r.contact_method, r.delay_minutes * 60) for r in rules]
    else:
        plan = [(m, 0) for m in ContactMethod.objects.filter(user=user).order_by("position", "id")]
    return queue_page(
        user, paged_message(incident), plan, incident_id=incident.pk, drill=incident.is_drill
    )


def paged_message(incident: Incident) -> Any:
    base = messages.reported(incident)

    def render(user: User, lang: str) -> Message:
        message = base(user, lang)
        with translation.override(lang):
            line = _("Acknowledge without signing in: %(url)s") % {"url": ack_url(incident, user)}
        return Message(subject=message.subject, body=f"{message.body}\n{line}", kind="page")

    return render


# --- acknowledgement ----------------------------------------------------------------------


def ack_token(incident: Incident, user: User) -> str:
    return signing.dumps({"i": incident.pk, "u": user.pk}, salt=ACK_SALT, compress=True)


def ack_url(incident: Incident, user: User) -> str:
    from django.conf import settings

    return settings.BASE_URL + reverse("paging:ack", args=[ack_token(incident, user)])


def read_ack_token(token: str) -> tuple[Incident, User]:
    """The incident and person a signed link names. Raises DomainError when the link is
    forged, expired, or names something that no longer exists."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError("token", _("this link has expired")) from exc
    except signing.BadSignature as exc:
        raise DomainError("token", _("this link is not valid")) from exc
    incident = Incident.objects.filter(pk=data.get("i")).first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if incident is None or user is None:
        raise DomainError("token", _("this link is not valid"))
    return incident, user


@after(Status.ACKNOWLEDGED)
def stop_on_acknowledge(incident: Incident, actor: User | None) -> None:
    _stop(incident, actor, Paging.State.ACKNOWLEDGED)


@after(Status.CANCELLED)
def stop_on_cancel(incident: Incident, actor: User | None) -> None:
    _stop(incident, actor, Paging.State.STOPPED)


def _stop(incident: Incident, actor: User | None, state: str) -> None:
    paging = Paging.objects.select_for_update().filter(incident=incident).first()
    if paging is None or paging.state != Paging.State.ACTIVE:
        return
    paging.state, paging.next_step_at = state, None
    if state == Paging.State.ACKNOWLEDGED:
        paging.acknowledged_by, paging.acknowledged_at = actor, timezone.now()
    paging.save()
    cancelled = cancel_waiting(incident.pk)
    append_event(
        incident, "paging_stopped", actor=actor, data={"state": state, "cancelled_pages": cancelled}
    )


# --- rules and the sweep ------------------------------------------------------------------


def set_notification_rules(
    user: User, rules: list[tuple[ContactMethod, int]]
) -> list[NotificationRule]:
    """Replace a person's rules: (their contact method, after minutes) pairs."""
    for i, (method, delay) in enumerate(rules):
        if method.user_id != user.pk:
            raise DomainError(f"rules[{i}].contact_method", _("not one of your contact methods"))
        if not 0 <= delay <= 1440:
            raise DomainError(f"rules[{i}].delay_minutes", _("a whole number from 0 to 1440"))
    with transaction.atomic():
        NotificationRule.objects.filter(user=user).delete()
        return [
            NotificationRule.objects.create(user=user, contact_method=m, delay_minutes=d)
            for m, d in {(m.pk, d): (m, d) for m, d in rules}.values()
        ]


def run_due(now: dt.datetime | None = None) -> int:
    """Run every step that is due now (the worker's escalation loop calls this ten times a
    second); returns how many ran. The queued task of a step, if it has one, finds it done.

    A step that fails is logged and left due (the next pass tries it again): the steps due
    after it still run — in the worker this loop is the only runner of most steps."""
    now = now or timezone.now()
    due = list(
        Paging.objects.filter(state=Paging.State.ACTIVE, next_step_at__lte=now)
        .order_by("next_step_at")
        .values_list("pk", "step", "round")[:DUE_BATCH]
    )
    ran = 0
    for pk, step, round in due:
        try:
            ran += run_step(pk, step=step, round=round)
        except Exception:
            log.exception("escalation step %s of paging %s failed; it stays due", step, pk)
    return ran


def sweep(now: dt.datetime | None = None) -> int:
    """Re-schedule every active paging whose step is due but whose task was lost."""
    now = now or timezone.now()
    due = list(
        Paging.objects.filter(
            state=Paging.State.ACTIVE, next_step_at__lt=now - LOST_STEP_GRACE
        ).values_list("pk", "step", "round")
    )
    from warroom.paging.tasks import task_escalation_step

    for pk, step, round in due:
        task_escalation_step(pk, step, round)
    if due:
        log.info("paging sweep: re-enqueued %d due steps", len(due))
    return len(due)


def participants_paged(incident: Incident) -> list[str]:
    return sorted(
        Participant.objects.filter(incident=incident)
        .exclude(role="reporter")
        .values_list("user__username", flat=True)
        .distinct()
    )
