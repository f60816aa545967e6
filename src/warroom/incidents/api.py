"""The incident process in the REST API. Every endpoint: parse → authorise → one service.

An incident the caller may not see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.catalog.models import System
from warroom.incidents import queries, services
from warroom.incidents import schemas as s
from warroom.incidents.models import (
    ActionItem,
    CheckItem,
    Incident,
    Order,
    OutsideHelp,
    RecoveryItem,
    ResourceAllocation,
    Task,
)
from warroom.lib.errors import DomainError
from warroom.plan.models import PlanRevision
from warroom.resources.models import ExternalContact, Resource

router = Router(tags=["incidents"])


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every operation
    return user


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    incident = queries.visible_incidents(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("incident not found")
    return incident


def _child(model: Any, incident: Incident, pk: int, what: str) -> Any:
    lookup = {"task__incident": incident} if model is CheckItem else {"incident": incident}
    obj = model.objects.filter(pk=pk, **lookup).first()
    if obj is None:
        raise Http404(f"{what} not found")
    return obj


def _by_name(model: Any, field: str, value: str, what: str) -> Any:
    obj = model.objects.filter(**{field: value}).first()
    if obj is None:
        raise DomainError(what, f"unknown {what} {value!r}")
    return obj


def _person(username: str | None, field: str) -> User | None:
    if username is None:
        return None
    user: User = _by_name(User, "username", username, field)
    return user


def _systems(names: list[str]) -> list[System]:
    found = {sys.name: sys for sys in System.objects.filter(name__in=names)}
    for i, name in enumerate(names):
        if name not in found:
            raise DomainError(f"systems.{i}", f"unknown system {name!r}")
    return [found[n] for n in names]


def _detail(incident: Incident) -> Incident:
    return Incident.objects.select_related("reporter", "plan_version").get(pk=incident.pk)


@router.get("/incidents", response=list[s.IncidentOut])
@paginate(LimitOffsetPagination)
def list_incidents(
    request: HttpRequest, status: str | None = None, open: bool = False, q: str = ""
) -> Any:
    items = queries.search(request.user, q).prefetch_related("systems")
    if open:
        items = items.filter(pk__in=queries.open_incidents(request.user).values("pk"))
    return items.filter(status=status) if status else items


@router.post("/incidents", response={201: s.IncidentDetailOut})
def report(request: HttpRequest, payload: s.ReportIn) -> Any:
    incident = services.report_incident(
        reporter=_user(request),
        title=payload.title,
        description=payload.description,
        noticed_at=payload.noticed_at,
        systems=_systems(payload.systems),
        category=payload.category,
        contact=payload.contact,
        source="api",
        restricted=payload.restricted,
    )
    return Status(201, _detail(incident))


@router.get("/incidents/{incident_id}", response=s.IncidentDetailOut)
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    return _detail(_incident(request, incident_id))


@router.post("/incidents/{incident_id}/acknowledge", response=s.IncidentDetailOut)
def acknowledge(request: HttpRequest, incident_id: int) -> Any:
    return _detail(
        services.acknowledge_incident(_incident(request, incident_id), actor=_user(request))
    )


@router.post("/incidents/{incident_id}/assess", response=s.IncidentDetailOut)
def assess(request: HttpRequest, incident_id: int, payload: s.AssessIn) -> Any:
    incident = _incident(request, incident_id)
    return _detail(
        services.assess_incident(
            incident,
            actor=_user(request),
            level=payload.level,
            category=payload.category,
            systems=None if payload.systems is None else _systems(payload.systems),
            scope=payload.scope,
            restricted=payload.restricted,
        )
    )


@router.get("/incidents/{incident_id}/team/proposal", response=list[s.ProposalOut])
def team_proposal(request: HttpRequest, incident_id: int) -> Any:
    return [
        {
            "role": p.role,
            "person": p.person.get_username(),
            "backup": p.backup.get_username() if p.backup else None,
        }
        for p in services.propose_team(_incident(request, incident_id))
    ]


@router.put("/incidents/{incident_id}/team", response=s.IncidentDetailOut)
def set_team(request: HttpRequest, incident_id: int, payload: s.TeamIn) -> Any:
    incident = _incident(request, incident_id)
    members = [
        (_person(m.person, f"members.{i}.person"), m.role) for i, m in enumerate(payload.members)
    ]
    services.set_team(incident, actor=_user(request), members=members)  # type: ignore[arg-type]
    return _detail(incident)


@router.get("/incidents/{incident_id}/orders", response=list[s.OrderOut])
def list_orders(request: HttpRequest, incident_id: int) -> Any:
    return _incident(request, incident_id).orders.select_related(
        "to_person", "issued_by", "acknowledged_by"
    )


@router.post("/incidents/{incident_id}/orders", response={201: s.OrderOut})
def issue_order(request: HttpRequest, incident_id: int, payload: s.OrderIn) -> Any:
    order = services.issue_order(
        _incident(request, incident_id),
        actor=_user(request),
        text=payload.text,
        to_role=payload.to_role,
        to_person=_person(payload.to_person, "to_person"),
        due_at=payload.due_at,
    )
    return Status(201, order)


@router.post("/incidents/{incident_id}/orders/{order_id}/acknowledge", response=s.OrderOut)
def acknowledge_order(request: HttpRequest, incident_id: int, order_id: int) -> Any:
    order = _child(Order, _incident(request, incident_id), order_id, "order")
    return services.acknowledge_order(order, actor=_user(request))


@router.post("/incidents/{incident_id}/respond", response=s.IncidentDetailOut)
def respond(request: HttpRequest, incident_id: int) -> Any:
    return _detail(services.start_response(_incident(request, incident_id), actor=_user(request)))


@router.get("/incidents/{incident_id}/tasks", response=list[s.TaskOut])
def list_tasks(request: HttpRequest, incident_id: int) -> Any:
    return (
        _incident(request, incident_id)
        .tasks.select_related("assignee")
        .prefetch_related("checklist__done_by")
    )


@router.patch("/incidents/{incident_id}/tasks/{task_id}", response=s.TaskOut)
def update_task(request: HttpRequest, incident_id: int, task_id: int, payload: s.TaskPatch) -> Any:
    task = _child(Task, _incident(request, incident_id), task_id, "task")
    data = payload.dict(exclude_unset=True)
    assignee: User | bool | None = False
    if "assignee" in data:
        assignee = _person(data["assignee"], "assignee")
    return services.update_task(
        task,
        actor=_user(request),
        status=data.get("status"),
        assignee=assignee,
        notes=data.get("notes"),
    )


@router.post("/incidents/{incident_id}/checklist/{item_id}", response=s.CheckItemOut)
def check(request: HttpRequest, incident_id: int, item_id: int, payload: s.CheckIn) -> Any:
    item = _child(CheckItem, _incident(request, incident_id), item_id, "checklist item")
    return services.check_item(item, actor=_user(request), done=payload.done)


@router.post("/incidents/{incident_id}/restores", response={201: dict[str, Any]})
def restore(request: HttpRequest, incident_id: int, payload: s.RestoreIn) -> Any:
    row = services.record_restore(
        _incident(request, incident_id),
        actor=_user(request),
        system=_by_name(System, "name", payload.system, "system"),
        backup_ref=payload.backup_ref,
        verified=payload.verified,
        notes=payload.notes,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "system": row.system.name,
            "backup_ref": row.backup_ref,
            "verified": row.verified,
        },
    )


@router.put("/incidents/{incident_id}/leak", response=s.LeakOut)
def leak(request: HttpRequest, incident_id: int, payload: s.LeakIn) -> Any:
    return services.record_leak_assessment(
        _incident(request, incident_id),
        actor=_user(request),
        data_kinds=payload.data_kinds,
        records_affected=payload.records_affected,
        hole=payload.hole,
        hole_closed_at=payload.hole_closed_at,
    )


@router.put("/incidents/{incident_id}/leak/legal-decision", response=s.LeakOut)
def legal_decision(request: HttpRequest, incident_id: int, payload: s.LegalIn) -> Any:
    return services.record_legal_decision(
        _incident(request, incident_id),
        actor=_user(request),
        notify_authorities=payload.notify_authorities,
        notify_users=payload.notify_users,
        reasoning=payload.reasoning,
    )


@router.post("/incidents/{incident_id}/user-updates", response={201: dict[str, Any]})
def user_update(request: HttpRequest, incident_id: int, payload: s.UserUpdateIn) -> Any:
    row = services.post_user_update(
        _incident(request, incident_id), actor=_user(request), text=payload.text, eta=payload.eta
    )
    return Status(201, {"id": row.pk, "text": row.text, "eta": row.eta})


@router.get("/incidents/{incident_id}/allocations", response=list[s.AllocationOut])
def list_allocations(request: HttpRequest, incident_id: int) -> Any:
    return _incident(request, incident_id).allocations.select_related("resource")


@router.post("/incidents/{incident_id}/allocations", response={201: s.AllocationOut})
def allocate(request: HttpRequest, incident_id: int, payload: s.AllocationIn) -> Any:
    return Status(
        201,
        services.allocate_resource(
            _incident(request, incident_id),
            actor=_user(request),
            resource=_by_name(Resource, "name", payload.resource, "resource"),
        ),
    )


@router.post(
    "/incidents/{incident_id}/allocations/{allocation_id}/release", response=s.AllocationOut
)
def release(request: HttpRequest, incident_id: int, allocation_id: int) -> Any:
    row = _child(ResourceAllocation, _incident(request, incident_id), allocation_id, "allocation")
    return services.release_resource(row, actor=_user(request))


@router.get("/incidents/{incident_id}/outside-help", response=list[s.OutsideHelpOut])
def list_outside_help(request: HttpRequest, incident_id: int) -> Any:
    return _incident(request, incident_id).outside_help.select_related("contact")


@router.post("/incidents/{incident_id}/outside-help", response={201: s.OutsideHelpOut})
def outside_help(request: HttpRequest, incident_id: int, payload: s.OutsideHelpIn) -> Any:
    return Status(
        201,
        services.request_outside_help(
            _incident(request, incident_id),
            actor=_user(request),
            contact=_by_name(ExternalContact, "name", payload.contact, "contact"),
            asked=payload.asked,
        ),
    )


@router.patch("/incidents/{incident_id}/outside-help/{request_id}", response=s.OutsideHelpOut)
def outside_outcome(
    request: HttpRequest, incident_id: int, request_id: int, payload: s.OutcomeIn
) -> Any:
    row = _child(OutsideHelp, _incident(request, incident_id), request_id, "request")
    return services.record_outside_outcome(row, actor=_user(request), outcome=payload.outcome)


@router.get("/incidents/{incident_id}/recovery", response=list[s.RecoveryItemOut])
def recovery(request: HttpRequest, incident_id: int) -> Any:
    return _incident(request, incident_id).recovery_items.select_related("system", "signed_by")


@router.post("/incidents/{incident_id}/recovery/{item_id}/sign", response=s.RecoveryItemOut)
def sign(request: HttpRequest, incident_id: int, item_id: int, payload: s.SignIn) -> Any:
    item = _child(RecoveryItem, _incident(request, incident_id), item_id, "recovery item")
    return services.sign_recovery_item(item, actor=_user(request), notes=payload.notes)


@router.post("/incidents/{incident_id}/recover", response=s.IncidentDetailOut)
def recover(request: HttpRequest, incident_id: int) -> Any:
    return _detail(services.start_recovery(_incident(request, incident_id), actor=_user(request)))


@router.post("/incidents/{incident_id}/resume", response=s.IncidentDetailOut)
def resume(request: HttpRequest, incident_id: int, payload: s.ReasonIn) -> Any:
    return _detail(
        services.resume_response(
            _incident(request, incident_id), actor=_user(request), reason=payload.reason
        )
    )


@router.post("/incidents/{incident_id}/resolve", response=s.IncidentDetailOut)
def resolve(request: HttpRequest, incident_id: int, payload: s.ResolveIn) -> Any:
    return _detail(
        services.resolve_incident(
            _incident(request, incident_id),
            actor=_user(request),
            override_reason=payload.override_reason,
        )
    )


@router.post("/incidents/{incident_id}/review", response=s.IncidentDetailOut)
def review(request: HttpRequest, incident_id: int) -> Any:
    return _detail(services.start_review(_incident(request, incident_id), actor=_user(request)))


@router.post("/incidents/{incident_id}/close", response=s.IncidentDetailOut)
def close(request: HttpRequest, incident_id: int) -> Any:
    return _detail(services.close_incident(_incident(request, incident_id), actor=_user(request)))


@router.post("/incidents/{incident_id}/cancel", response=s.IncidentDetailOut)
def cancel(request: HttpRequest, incident_id: int, payload: s.CancelIn) -> Any:
    into = _incident(request, payload.merged_into) if payload.merged_into else None
    return _detail(
        services.cancel_incident(
            _incident(request, incident_id),
            actor=_user(request),
            reason=payload.reason,
            merged_into=into,
        )
    )


@router.get("/incidents/{incident_id}/report", response=s.ReportOut)
def get_report(request: HttpRequest, incident_id: int) -> Any:
    incident = _incident(request, incident_id)
    if not hasattr(incident, "report"):
        raise Http404("the report is drafted when the incident is resolved")
    return incident.report


@router.patch("/incidents/{incident_id}/report", response=s.ReportOut)
def edit_report(request: HttpRequest, incident_id: int, payload: s.ReportPatch) -> Any:
    return services.update_report(
        _incident(request, incident_id), actor=_user(request), **payload.dict(exclude_unset=True)
    )


def _revision(revision_id: int | None) -> PlanRevision | None:
    if revision_id is None:
        return None
    revision: PlanRevision = _by_name(PlanRevision, "pk", str(revision_id), "plan_change")
    return revision


@router.post("/incidents/{incident_id}/action-items", response={201: dict[str, Any]})
def add_action(request: HttpRequest, incident_id: int, payload: s.ActionItemIn) -> Any:
    item = services.add_action_item(
        _incident(request, incident_id),
        actor=_user(request),
        title=payload.title,
        owner=_person(payload.owner, "owner"),
        due_date=payload.due_date,
        plan_change=_revision(payload.plan_change),
    )
    return Status(201, s.action_item_out(item))


@router.patch("/incidents/{incident_id}/action-items/{item_id}", response=dict[str, Any])
def action_status(
    request: HttpRequest, incident_id: int, item_id: int, payload: s.ActionStatusIn
) -> Any:
    item = _child(ActionItem, _incident(request, incident_id), item_id, "action item")
    given = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "owner" in given:
        changes["owner"] = _person(payload.owner, "owner")
    if "due_date" in given:
        changes["due_date"] = payload.due_date
    if "plan_change" in given:
        changes["plan_change"] = _revision(payload.plan_change)
    if changes:
        item = services.update_action_item(item, actor=_user(request), **changes)
    if payload.status is not None:
        item = services.set_action_status(item, actor=_user(request), status=payload.status)
    return s.action_item_out(item)


@router.get("/incidents/{incident_id}/timeline", response=list[s.TimelineOut])
def timeline(request: HttpRequest, incident_id: int) -> Any:
    return _incident(request, incident_id).timeline.select_related("actor").order_by("seq")
