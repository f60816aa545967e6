"""Drills in the REST API: the calendar, injects, running and scoring, findings.

Everyone authenticated reads; writes need a plan manager (403 otherwise). Every endpoint:
parse → authorise → one service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from warroom.api.common import get_or_404, require
from warroom.catalog.models import System
from warroom.drills import queries, services
from warroom.drills import schemas as s
from warroom.drills.models import Drill, Finding, Inject
from warroom.lib.errors import DomainError
from warroom.people.access import can_manage_plan

router = Router(tags=["drills"])
MANAGERS_ONLY = "only the commander, the deputy or an administrator may plan and run drills"


def _manager(request: HttpRequest) -> User:
    require(can_manage_plan(request.user), MANAGERS_ONLY)
    assert isinstance(request.user, User)
    return request.user


def _drill(drill_id: int) -> Drill:
    return get_or_404(Drill.objects.select_related("plan_version"), "drill", pk=drill_id)


def _system(name: str | None) -> System | None:
    if not name:
        return None
    found = System.objects.filter(name=name).first()
    if found is None:
        raise DomainError("system", _("unknown system %(name)r") % {"name": name})
    return found


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise DomainError("owner", _("unknown person %(name)r") % {"name": username})
    return found


class ProposalQuery(Schema):
    from_date: dt.date | None = None
    count: int = 4


@router.get("/drills", response=list[s.DrillOut])
def list_drills(request: HttpRequest) -> Any:
    return queries.drills().order_by("-scheduled_for", "-id")[:500]


@router.post("/drills", response={201: s.DrillDetailOut})
def create_drill(request: HttpRequest, payload: s.DrillIn) -> Any:
    actor = _manager(request)
    return Status(201, services.create_drill(actor=actor, **payload.dict()))


@router.get("/drills/proposals", response=list[s.ProposalOut])
def proposals(request: HttpRequest, query: Query[ProposalQuery]) -> Any:
    """The next drills by the plan's cadence, not yet saved (see POST /drills/schedule)."""
    start = query.from_date or queries.next_due_date() or timezone.localdate()
    return [
        {
            "scheduled_for": p.scheduled_for,
            "scenario": p.scenario.code,
            "category": p.scenario.category,
            "level": p.scenario.level,
        }
        for p in queries.plan_drills(start, query.count)
    ]


@router.post("/drills/schedule", response={201: list[s.DrillOut]})
def schedule(request: HttpRequest, payload: s.ScheduleIn) -> Any:
    actor = _manager(request)
    return Status(201, services.schedule_drills(actor=actor, **payload.dict()))


@router.get("/drills/overdue", response=list[s.OverdueOut])
def overdue(request: HttpRequest) -> Any:
    return [
        {
            "kind": o.kind,
            "due": o.due,
            "days_late": o.days_late,
            "drill": o.drill.pk if o.drill else None,
        }
        for o in queries.overdue_drills()
    ]


@router.get("/drills/{drill_id}", response=s.DrillDetailOut)
def get_drill(request: HttpRequest, drill_id: int) -> Any:
    return _drill(drill_id)


@router.patch("/drills/{drill_id}", response=s.DrillDetailOut)
def update_drill(request: HttpRequest, drill_id: int, payload: s.DrillPatch) -> Any:
    actor = _manager(request)
    return services.update_drill(_drill(drill_id), actor=actor, **payload.dict(exclude_unset=True))


@router.post("/drills/{drill_id}/start", response=s.DrillDetailOut)
def start_drill(request: HttpRequest, drill_id: int) -> Any:
    return services.start_drill(_drill(drill_id), actor=_manager(request))


@router.post("/drills/{drill_id}/finish", response=s.DrillDetailOut)
def finish_drill(request: HttpRequest, drill_id: int) -> Any:
    return services.finish_drill(_drill(drill_id), actor=_manager(request))


@router.post("/drills/{drill_id}/cancel", response=s.DrillDetailOut)
def cancel_drill(request: HttpRequest, drill_id: int) -> Any:
    return services.cancel_drill(_drill(drill_id), actor=_manager(request))


@router.post("/drills/{drill_id}/injects", response={201: s.InjectOut})
def add_inject(request: HttpRequest, drill_id: int, payload: s.InjectIn) -> Any:
    actor = _manager(request)
    data = payload.dict()
    data["system"] = _system(data["system"])
    return Status(201, services.add_inject(_drill(drill_id), actor=actor, **data))


def _inject(drill_id: int, inject_id: int) -> Inject:
    return get_or_404(
        Inject.objects.select_related("drill__plan_version", "system"),
        "inject",
        pk=inject_id,
        drill_id=drill_id,
    )


@router.patch("/drills/{drill_id}/injects/{inject_id}", response=s.InjectOut)
def update_inject(
    request: HttpRequest, drill_id: int, inject_id: int, payload: s.InjectPatch
) -> Any:
    actor = _manager(request)
    data = payload.dict(exclude_unset=True)
    if "system" in data:
        data["system"] = _system(data["system"])
    return services.update_inject(_inject(drill_id, inject_id), actor=actor, **data)


@router.delete("/drills/{drill_id}/injects/{inject_id}", response={204: None})
def delete_inject(request: HttpRequest, drill_id: int, inject_id: int) -> Any:
    actor = _manager(request)
    services.delete_inject(_inject(drill_id, inject_id), actor=actor)
    return Status(204, None)


@router.post("/drills/{drill_id}/findings", response={201: s.FindingOut})
def add_finding(request: HttpRequest, drill_id: int, payload: s.FindingIn) -> Any:
    actor = _manager(request)
    finding = services.add_finding(
        _drill(drill_id),
        actor=actor,
        text=payload.text,
        owner=_owner(payload.owner),
        due_date=payload.due_date,
    )
    return Status(201, finding)


@router.patch("/drills/{drill_id}/findings/{finding_id}", response=s.FindingOut)
def update_finding(
    request: HttpRequest, drill_id: int, finding_id: int, payload: s.FindingPatch
) -> Any:
    finding = get_or_404(
        Finding.objects.select_related("owner"), "finding", pk=finding_id, drill_id=drill_id
    )
    return services.set_finding_status(finding, actor=request.user, status=payload.status)
