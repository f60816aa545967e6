from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.api.common import get_or_404, require
from warroom.lib.errors import DomainError
from warroom.people.access import can_edit_department
from warroom.people.models import Department
from warroom.people.rights import can_edit_contacts
from warroom.resources import services
from warroom.resources.models import ExternalContact, Resource

router = Router(tags=["resources"])


class ResourceOut(Schema):
    id: int
    kind: str
    name: str
    location: str
    department: str = Field(alias="department.code")
    custodian: str | None
    quantity: int
    state: str
    last_checked: dt.date | None
    notes: str

    @staticmethod
    def resolve_custodian(obj: Resource) -> str | None:
        return obj.custodian.get_username() if obj.custodian else None


class ResourceIn(Schema):
    kind: str
    name: str = Field(min_length=1, max_length=200)
    location: str = ""
    department: str
    custodian: str | None = None
    quantity: int = Field(1, ge=0)
    state: str = "available"
    last_checked: dt.date | None = None
    notes: str = ""


class ResourcePatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    location: str | None = None
    department: str | None = None
    custodian: str | None = None
    quantity: int | None = Field(None, ge=0)
    state: str | None = None
    last_checked: dt.date | None = None
    notes: str | None = None


class ContactOut(Schema):
    id: int
    name: str
    kind: str
    covers: str
    contract_ref: str
    phone: str
    email: str
    how_to_reach: str


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: str
    covers: str = ""
    contract_ref: str = ""
    phone: str = ""
    email: str = ""
    how_to_reach: str = ""


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    covers: str | None = None
    contract_ref: str | None = None
    phone: str | None = None
    email: str | None = None
    how_to_reach: str | None = None


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    if "department" in data:
        dept = Department.objects.filter(code=data["department"]).first()
        if dept is None:
            raise DomainError("department", f"unknown department {data['department']!r}")
        data["department"] = dept
    if "custodian" in data and data["custodian"] is not None:
        user = get_user_model().objects.filter(username=data["custodian"]).first()
        if user is None:
            raise DomainError("custodian", f"unknown person {data['custodian']!r}")
        data["custodian"] = user
    return data


def _may_edit(request: HttpRequest, dept: Department | int) -> None:
    require(
        can_edit_department(request.user, dept),
        "only the department's representatives, the commander, the deputy or an "
        "administrator may change its resources",
    )


def _may_edit_contacts(request: HttpRequest) -> None:
    require(
        can_edit_contacts(request.user),
        "only members of the emergency team may change outside contacts",
    )


def _resources() -> Any:
    return Resource.objects.select_related("department", "custodian")


@router.get("/resources", response=list[ResourceOut])
@paginate(LimitOffsetPagination)
def list_resources(request: HttpRequest, kind: str | None = None, state: str | None = None) -> Any:
    items = _resources()
    if kind:
        items = items.filter(kind=kind)
    return items.filter(state=state) if state else items


@router.get("/resources/{resource_id}", response=ResourceOut)
def get_resource(request: HttpRequest, resource_id: int) -> Any:
    return get_or_404(_resources(), "resource", pk=resource_id)


@router.post("/resources", response={201: ResourceOut})
def create_resource(request: HttpRequest, payload: ResourceIn) -> Any:
    data = _resolve(payload.dict())
    _may_edit(request, data["department"])
    resource = services.save_resource(None, **data)
    return Status(201, get_or_404(_resources(), "resource", pk=resource.pk))


@router.patch("/resources/{resource_id}", response=ResourceOut)
def update_resource(request: HttpRequest, resource_id: int, payload: ResourcePatch) -> Any:
    resource = get_or_404(Resource.objects, "resource", pk=resource_id)
    _may_edit(request, resource.department_id)
    data = _resolve(payload.dict(exclude_unset=True))
    if "department" in data:
        _may_edit(request, data["department"])
    services.save_resource(resource, **data)
    return get_or_404(_resources(), "resource", pk=resource.pk)


@router.delete("/resources/{resource_id}", response={204: None})
def delete_resource(request: HttpRequest, resource_id: int) -> Any:
    resource = get_or_404(Resource.objects, "resource", pk=resource_id)
    _may_edit(request, resource.department_id)
    services.delete_resource(resource)
    return Status(204, None)


@router.get("/contacts", response=list[ContactOut])
@paginate(LimitOffsetPagination)
def list_contacts(request: HttpRequest, kind: str | None = None) -> Any:
    items = ExternalContact.objects.all()
    return items.filter(kind=kind) if kind else items


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    return get_or_404(ExternalContact.objects, "contact", pk=contact_id)


@router.post("/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    _may_edit_contacts(request)
    return Status(201, services.save_contact(None, **payload.dict()))


@router.patch("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    _may_edit_contacts(request)
    contact = get_or_404(ExternalContact.objects, "contact", pk=contact_id)
    return services.save_contact(contact, **payload.dict(exclude_unset=True))


@router.delete("/contacts/{contact_id}", response={204: None})
def delete_contact(request: HttpRequest, contact_id: int) -> Any:
    _may_edit_contacts(request)
    contact = get_or_404(ExternalContact.objects, "contact", pk=contact_id)
    services.delete_contact(contact)
    return Status(204, None)
