from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.api.common import get_or_404, require
from warroom.catalog import queries, services
from warroom.catalog.models import Risk, System
from warroom.lib.errors import DomainError
from warroom.people.access import can_edit_department
from warroom.people.models import Department

router = Router(tags=["catalog"])


class SystemOut(Schema):
    id: int
    name: str
    kind: str
    owner_department: str = Field(alias="owner_department.code")
    criticality: str
    description: str
    backup_location: str
    backup_frequency: str
    last_restore_verified: dt.date | None
    runbook_links: list[str]
    depends_on: list[str]

    @staticmethod
    def resolve_depends_on(obj: System) -> list[str]:
        return [s.name for s in obj.depends_on.all()]


class SystemIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: str
    owner_department: str
    criticality: str = "medium"
    description: str = ""
    backup_location: str = ""
    backup_frequency: str = ""
    last_restore_verified: dt.date | None = None
    runbook_links: list[str] = []
    depends_on: list[str] = []


class SystemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: str | None = None
    owner_department: str | None = None
    criticality: str | None = None
    description: str | None = None
    backup_location: str | None = None
    backup_frequency: str | None = None
    last_restore_verified: dt.date | None = None
    runbook_links: list[str] | None = None
    depends_on: list[str] | None = None


class RiskOut(Schema):
    id: int
    system: str = Field(alias="system.name")
    category: str
    title: str
    likelihood: int
    impact_level: str
    rating: int
    mitigation: str
    owner: str | None
    next_review: dt.date
    overdue: bool

    @staticmethod
    def resolve_owner(obj: Risk) -> str | None:
        return obj.owner.get_username() if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: Risk) -> bool:
        return obj.next_review < timezone.localdate()


class RiskIn(Schema):
    system: str
    category: str
    title: str = Field(min_length=1, max_length=200)
    likelihood: int = Field(ge=1, le=5)
    impact_level: str
    mitigation: str = ""
    owner: str | None = None
    next_review: dt.date


class RiskPatch(Schema):
    category: str | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    likelihood: int | None = Field(None, ge=1, le=5)
    impact_level: str | None = None
    mitigation: str | None = None
    owner: str | None = None
    next_review: dt.date | None = None


def _department(code: str) -> Department:
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise DomainError("owner_department", f"unknown department {code!r}")
    return dept


def _systems_named(names: list[str], field: str = "depends_on") -> list[System]:
    found = {s.name: s for s in System.objects.filter(name__in=names)}
    for index, name in enumerate(names):
        if name not in found:
            raise DomainError(f"{field}.{index}", f"unknown system {name!r}")
    return [found[n] for n in names]


def _user(username: str | None, field: str = "owner") -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise DomainError(field, f"unknown user {username!r}")
    return user


def _may_edit(request: HttpRequest, dept: Department | int) -> None:
    require(
        can_edit_department(request.user, dept),
        "only the owning department's representatives, the commander, the deputy or an "
        "administrator may change this",
    )


@router.get("/systems", response=list[SystemOut])
@paginate(LimitOffsetPagination)
def list_systems(request: HttpRequest, kind: str | None = None) -> Any:
    items = queries.systems()
    return items.filter(kind=kind) if kind else items


@router.get("/systems/{system_id}", response=SystemOut)
def get_system(request: HttpRequest, system_id: int) -> System:
    return get_or_404(queries.systems(), "system", pk=system_id)


@router.post("/systems", response={201: SystemOut})
def create_system(request: HttpRequest, payload: SystemIn) -> Any:
    dept = _department(payload.owner_department)
    _may_edit(request, dept)
    data = payload.dict(exclude={"depends_on"})
    data["owner_department"] = dept
    system = services.save_system(None, depends_on=_systems_named(payload.depends_on), **data)
    return Status(201, get_or_404(queries.systems(), "system", pk=system.pk))


@router.patch("/systems/{system_id}", response=SystemOut)
def update_system(request: HttpRequest, system_id: int, payload: SystemPatch) -> System:
    system = get_or_404(System.objects, "system", pk=system_id)
    _may_edit(request, system.owner_department_id)
    data = payload.dict(exclude_unset=True)
    depends_on = data.pop("depends_on", None)
    if "owner_department" in data:
        data["owner_department"] = _department(data["owner_department"])
        _may_edit(request, data["owner_department"])
    services.save_system(
        system, depends_on=None if depends_on is None else _systems_named(depends_on), **data
    )
    return get_or_404(queries.systems(), "system", pk=system.pk)


@router.delete("/systems/{system_id}", response={204: None})
def delete_system(request: HttpRequest, system_id: int) -> Any:
    system = get_or_404(System.objects, "system", pk=system_id)
    _may_edit(request, system.owner_department_id)
    services.delete_system(system)
    return Status(204, None)


@router.get(
    "/systems/{system_id}/at-risk",
    response=list[str],
    summary="Systems that depend on this one, directly or not",
)
def at_risk(request: HttpRequest, system_id: int) -> list[str]:
    system = get_or_404(System.objects, "system", pk=system_id)
    ids = queries.dependents_of([system.pk])
    return list(System.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


@router.get("/risks", response=list[RiskOut])
@paginate(LimitOffsetPagination)
def list_risks(request: HttpRequest, overdue: bool = False, system: str | None = None) -> Any:
    items = queries.overdue_risks() if overdue else queries.risks()
    return items.filter(system__name=system) if system else items


@router.get("/risks/{risk_id}", response=RiskOut)
def get_risk(request: HttpRequest, risk_id: int) -> Risk:
    return get_or_404(queries.risks(), "risk", pk=risk_id)


@router.post("/risks", response={201: RiskOut})
def create_risk(request: HttpRequest, payload: RiskIn) -> Any:
    system = _systems_named([payload.system], field="system")[0]
    _may_edit(request, system.owner_department_id)
    data = payload.dict()
    data["system"] = system
    data["owner"] = _user(payload.owner)
    risk = services.save_risk(None, **data)
    return Status(201, get_or_404(queries.risks(), "risk", pk=risk.pk))


@router.patch("/risks/{risk_id}", response=RiskOut)
def update_risk(request: HttpRequest, risk_id: int, payload: RiskPatch) -> Risk:
    risk = get_or_404(Risk.objects.select_related("system"), "risk", pk=risk_id)
    _may_edit(request, risk.system.owner_department_id)
    data = payload.dict(exclude_unset=True)
    if "owner" in data:
        data["owner"] = _user(data["owner"])
    services.save_risk(risk, **data)
    return get_or_404(queries.risks(), "risk", pk=risk.pk)


@router.delete("/risks/{risk_id}", response={204: None})
def delete_risk(request: HttpRequest, risk_id: int) -> Any:
    risk = get_or_404(Risk.objects.select_related("system"), "risk", pk=risk_id)
    _may_edit(request, risk.system.owner_department_id)
    services.delete_risk(risk)
    return Status(204, None)
