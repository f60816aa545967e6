"""Writes of drills: the calendar, injects, running and finishing a drill, findings.

Only the people who manage the plan (administrators, the commander, the deputy and their
backups — `people.access.can_manage_plan`) change drills; every service checks it and raises
PermissionDenied. Bad input raises DomainError naming the field; a drill in the wrong state
for the change raises Conflict.

A drill's status changes only in `_move`, by the table beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import ValidationError

from warroom.alerts.normalize import AlertmanagerPayload
from warroom.catalog.models import System
from warroom.drills import queries, scoring, sending
from warroom.drills.models import Drill, Finding, Inject
from warroom.incidents.models import Incident
from warroom.incidents.models.incident import OPEN_STATES
from warroom.incidents.transitions import TransitionError, transition
from warroom.lib.errors import Conflict, DomainError
from warroom.people.access import can_manage_plan
from warroom.plan.queries import current_version, plan_of

Status = Drill.Status
MAX_OFFSET = 7 * 24 * 3600  # an inject comes within a week of the start
MAX_INJECTS = 50
FINISH_REASON = "drill finished"
CANCEL_REASON = "drill cancelled"

TRANSITIONS: dict[tuple[str, str], str | None] = {
    # (from, to): the time field stamped
    (Status.PLANNED, Status.RUNNING): "started_at",
    (Status.RUNNING, Status.FINISHED): "finished_at",
    (Status.PLANNED, Status.CANCELLED): "cancelled_at",
    (Status.RUNNING, Status.CANCELLED): "cancelled_at",
}

AnyUser = AbstractBaseUser | AnonymousUser


def require_manager(actor: AnyUser | None) -> None:
    if actor is None or not can_manage_plan(actor):
        raise PermissionDenied(
            _("only the commander, the deputy or an administrator may plan and run drills")
        )


# The calendar --------------------------------------------------------------------------------


def create_drill(
    *,
    actor: User,
    scenario: str,
    scheduled_for: dt.date,
    title: str = "",
    notes: str = "",
    default_injects: bool = True,
) -> Drill:
    """A planned drill of a scenario of the plan in force, with the scenario's default inject
    (one alert at 0 s of its category and level) unless `default_injects` is False."""
    require_manager(actor)
    version = current_version()
    plan = plan_of(version)
    chosen = queries.scenario(plan, scenario)
    if chosen is None:
        raise DomainError("scenario", _("unknown drill scenario %(code)r") % {"code": scenario})
    title = _clean_text(title, "title", 200)
    with transaction.atomic():
        drill = Drill.objects.create(
            scenario=scenario,
            title=title,
            scheduled_for=scheduled_for,
            plan_version=version,
            notes=notes.strip(),
            created_by=actor,
        )
        if default_injects:
            Inject.objects.create(
                drill=drill,
                offset_seconds=0,
                kind=Inject.Kind.ALERT,
                title=_clip(chosen.title.get(get_language() or "en"), 200),
                description=chosen.description.get(get_language() or "en"),
                category=chosen.category,
                level=chosen.level,
            )
    return drill


def schedule_drills(*, actor: User, from_date: dt.date, count: int) -> list[Drill]:
    """Put the next `count` drills on the calendar by the plan's cadence (see
    queries.plan_drills), each with its scenario's default inject."""
    require_manager(actor)
    proposals = queries.plan_drills(from_date, count)
    with transaction.atomic():
        return [
            create_drill(actor=actor, scenario=p.scenario.code, scheduled_for=p.scheduled_for)
            for p in proposals
        ]


def update_drill(
    drill: Drill,
    *,
    actor: User,
    scheduled_for: dt.date | None = None,
    title: str | None = None,
    notes: str | None = None,
) -> Drill:
    """Move a planned drill to another day, or change its title or notes."""
    require_manager(actor)
    _require_planned(drill)
    if scheduled_for is not None:
        drill.scheduled_for = scheduled_for
    if title is not None:
        drill.title = _clean_text(title, "title", 200)
    if notes is not None:
        drill.notes = notes.strip()
    drill.save(update_fields=["scheduled_for", "title", "notes"])
    return drill


# Injects ---------------------------------------------------------------------------------------

INJECT_FIELDS = (
    "kind",
    "offset_seconds",
    "title",
    "description",
    "system",
    "category",
    "level",
    "payload",
)


def add_inject(drill: Drill, *, actor: User, **fields: Any) -> Inject:
    """A new inject of a planned drill; `fields` as INJECT_FIELDS (kind and title required)."""
    require_manager(actor)
    _require_planned(drill)
    if drill.injects.count() >= MAX_INJECTS:
        raise DomainError("injects", _("at most %(n)d injects") % {"n": MAX_INJECTS})
    inject = Inject(drill=drill)
    _apply_inject(inject, {"kind": Inject.Kind.ALERT, "title": "", **fields})
    inject.save()
    return inject


def update_inject(inject: Inject, *, actor: User, **fields: Any) -> Inject:
    require_manager(actor)
    _require_planned(inject.drill)
    _apply_inject(inject, fields)
    inject.save()
    return inject


def delete_inject(inject: Inject, *, actor: User) -> None:
    require_manager(actor)
    _require_planned(inject.drill)
    inject.delete()


def _apply_inject(inject: Inject, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(INJECT_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], _("unknown field"))
    data = dict(fields)
    plan = plan_of(inject.drill.plan_version)
    if "kind" in data and data["kind"] not in Inject.Kind.values:
        raise DomainError("kind", _("one of %(kinds)s") % {"kinds": ", ".join(Inject.Kind.values)})
    if "offset_seconds" in data:
        offset = data["offset_seconds"]
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise DomainError(
                "offset_seconds",
                _("a whole number of seconds from 0 to %(max)d") % {"max": MAX_OFFSET},
            )
    if "title" in data:
        data["title"] = _clean_text(data["title"], "title", 200, required=True)
    if "description" in data:
        data["description"] = _clean_text(data["description"], "description", 10_000)
    if "system" in data and data["system"] is not None and not isinstance(data["system"], System):
        raise DomainError("system", _("unknown system"))
    if data.get("category") and plan.category(data["category"]) is None:
        raise DomainError(
            "category", _("unknown risk category %(code)r") % {"code": data["category"]}
        )
    if data.get("level") and plan.level(data["level"]) is None:
        raise DomainError("level", _("unknown impact level %(code)r") % {"code": data["level"]})
    if "payload" in data:
        data["payload"] = _clean_payload(data["payload"])
    for name, value in data.items():
        setattr(inject, name, "" if value is None and name in ("category", "level") else value)
    if inject.payload and inject.kind != Inject.Kind.ALERT:
        raise DomainError("payload", _("only an alert inject carries a payload"))


def _clean_payload(payload: Any) -> dict[str, Any]:
    """An Alertmanager (version 4) payload with at least one alert, or {} for the default."""
    if payload in (None, ""):
        return {}
    if not isinstance(payload, dict):
        raise DomainError("payload", _("an Alertmanager webhook payload (a JSON object)"))
    if not payload:
        return {}
    try:
        parsed = AlertmanagerPayload.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DomainError(f"payload.{where}", error["msg"]) from None
    if not parsed.alerts:
        raise DomainError("payload.alerts", _("at least one alert"))
    return payload


# Running ---------------------------------------------------------------------------------------


def start_drill(drill: Drill, *, actor: User) -> Drill:
    """Start the drill now: it runs under the plan in force, and each inject is due at the
    start plus its offset. A queue task per inject is scheduled for that moment once this
    commits; `sending.sweep` finds any whose task was lost. Raises Conflict unless the drill
    is planned, DomainError when it has no injects."""
    require_manager(actor)
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        injects = list(locked.injects.order_by("offset_seconds", "id"))
        if locked.status == Status.PLANNED and not injects:
            raise DomainError("injects", _("a drill needs at least one inject"))
        _move(locked, Status.RUNNING, actor=actor, by_field="started_by")
        locked.plan_version = current_version()
        locked.save(update_fields=["plan_version"])
        if any(i.kind == Inject.Kind.ALERT for i in injects):
            sending.drills_integration()  # made now, so that no two tasks race to make it
        assert locked.started_at is not None
        for inject in injects:
            inject.due_at = locked.started_at + dt.timedelta(seconds=inject.offset_seconds)
            inject.save(update_fields=["due_at"])
            transaction.on_commit(partial(sending.enqueue, inject.pk, inject.due_at))
    drill.refresh_from_db()
    return drill


def finish_drill(drill: Drill, *, actor: User) -> Drill:
    """End a running drill and score it against the plan's targets (see scoring.py). The
    drill's incidents still open are cancelled afterwards (by warroom, reason "drill
    finished"): a finished drill pages nobody more. Raises Conflict unless it is running."""
    require_manager(actor)
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        _move(locked, Status.FINISHED, actor=actor, by_field="finished_by")
        locked.score = scoring.score_drill(locked)
        locked.save(update_fields=["score"])
        _end_incidents(locked, FINISH_REASON)
    drill.refresh_from_db()
    return drill


def cancel_drill(drill: Drill, *, actor: User) -> Drill:
    """Call off a planned or running drill; a running one's open incidents are cancelled and
    its injects not yet sent are never sent."""
    require_manager(actor)
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        _move(locked, Status.CANCELLED, actor=actor)
        _end_incidents(locked, CANCEL_REASON)
    drill.refresh_from_db()
    return drill


def _move(drill: Drill, to: str, *, actor: User, by_field: str = "") -> None:
    """The only change of a drill's status: checks the table, stamps the time (and who)."""
    stamp = TRANSITIONS.get((drill.status, to), "-")
    if stamp == "-":
        raise Conflict(
            "status",
            _("the drill is %(state)s; it cannot become %(to)s")
            % {"state": drill.get_status_display(), "to": Status(to).label},
        )
    drill.status = to
    fields = ["status"]
    if stamp:
        setattr(drill, stamp, timezone.now())
        fields.append(stamp)
    if by_field:
        setattr(drill, by_field, actor)
        fields.append(by_field)
    drill.save(update_fields=fields)


def _end_incidents(drill: Drill, reason: str) -> None:
    ids = queries.drill_incidents(drill)
    for incident in Incident.objects.filter(pk__in=ids, is_drill=True, status__in=OPEN_STATES):
        try:
            # Warroom itself (actor None) ends them: the person finishing the drill may hold
            # no role on every incident it opened.
            transition(incident, "cancelled", actor=None, reason=reason)
        except TransitionError:
            continue  # moved on meanwhile; nothing to end


# Findings ------------------------------------------------------------------------------------


def add_finding(
    drill: Drill,
    *,
    actor: User,
    text: str,
    owner: User | None = None,
    due_date: dt.date | None = None,
) -> Finding:
    """Something the drill showed must change, with who sees to it and by when."""
    require_manager(actor)
    if drill.status == Status.PLANNED:
        raise Conflict("status", _("a drill has findings once it has run"))
    return Finding.objects.create(
        drill=drill,
        text=_clean_text(text, "text", 5000, required=True),
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )


def set_finding_status(finding: Finding, *, actor: AnyUser, status: str) -> Finding:
    """Done or open again. The owner may close their own finding too."""
    if not (actor.is_authenticated and finding.owner_id == actor.pk):
        require_manager(actor)
    if status not in Finding.Status.values:
        raise DomainError("status", _("open or done"))
    finding.status = status
    finding.done_at = timezone.now() if status == Finding.Status.DONE else None
    finding.save(update_fields=["status", "done_at"])
    return finding


# Helpers -----------------------------------------------------------------------------------------


def _require_planned(drill: Drill) -> None:
    if drill.status != Status.PLANNED:
        raise Conflict(
            "status",
            _("the drill is %(state)s; only a planned drill can be changed")
            % {"state": drill.get_status_display()},
        )


def _clean_text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise DomainError(field, _("text is required"))
    value = value.strip()
    if required and not value:
        raise DomainError(field, _("required"))
    if len(value) > limit:
        raise DomainError(field, _("at most %(n)d characters") % {"n": limit})
    return value


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
