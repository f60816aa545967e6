"""Writes of the emergency inventory and the outside contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from warroom.lib.errors import Conflict, DomainError
from warroom.plan.queries import current_plan
from warroom.resources.models import ExternalContact, Resource

RESOURCE_FIELDS = (
    "kind",
    "name",
    "location",
    "department",
    "custodian",
    "quantity",
    "state",
    "last_checked",
    "notes",
)
CONTACT_FIELDS = ("name", "kind", "covers", "contract_ref", "phone", "email", "how_to_reach")


def _assign(target: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    for key, value in fields.items():
        setattr(target, key, value)


def check_material(kind: str) -> None:
    codes = [m.code for m in current_plan().materials.items]
    if kind not in codes:
        raise DomainError("kind", f"unknown material {kind!r} (plan: {', '.join(codes)})")


def save_resource(resource: Resource | None, **fields: Any) -> Resource:
    """Create or update an inventory item. Its kind must be a material of the plan in force."""
    target = resource or Resource()
    _assign(target, fields, RESOURCE_FIELDS)
    check_material(target.kind)
    if target.state not in dict(Resource.STATE_CHOICES):
        raise DomainError("state", f"must be one of {', '.join(dict(Resource.STATE_CHOICES))}")
    if not (target.name or "").strip():
        raise DomainError("name", "required")
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict("name", f"a resource named {target.name!r} already exists") from exc
    return target


def save_contact(contact: ExternalContact | None, **fields: Any) -> ExternalContact:
    target = contact or ExternalContact()
    _assign(target, fields, CONTACT_FIELDS)
    if target.kind not in dict(ExternalContact.KIND_CHOICES):
        raise DomainError("kind", f"must be one of {', '.join(dict(ExternalContact.KIND_CHOICES))}")
    if not (target.name or "").strip():
        raise DomainError("name", "required")
    if target.email:
        try:
            validate_email(target.email)
        except ValidationError as exc:
            raise DomainError("email", f"not an email address: {target.email!r}") from exc
    if not (target.phone or target.email or target.how_to_reach):
        raise DomainError("how_to_reach", "give at least a phone, an email or how to reach them")
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict("name", f"a contact named {target.name!r} already exists") from exc
    return target


def delete_resource(resource: Resource) -> None:
    resource.delete()


def delete_contact(contact: ExternalContact) -> None:
    contact.delete()
