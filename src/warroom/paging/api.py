"""Escalation policies, the paging of an incident, and my notification rules in the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from warroom.api.common import get_or_404, require
from warroom.incidents.queries import visible_incidents
from warroom.lib.errors import DomainError
from warroom.paging import services
from warroom.paging.models import EscalationPolicy, NotificationRule, Paging
from warroom.people.access import can_manage_plan
from warroom.people.models import ContactMethod

router = Router(tags=["paging"])


class PolicyIO(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    repeat: int = Field(1, ge=0, le=10)
    is_default: bool = False
    steps: list[dict[str, Any]]


class PolicyOut(PolicyIO):
    id: int


class PagingOut(Schema):
    policy_name: str
    steps: list[dict[str, Any]]
    repeat: int
    step: int
    round: int
    state: str
    next_step_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None

    @staticmethod
    def resolve_acknowledged_by(obj: Paging) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None


class RuleIO(Schema):
    contact_method: str = Field(description="the label of one of your contact methods")
    delay_minutes: int = Field(0, ge=0, le=1440)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every operation here is authenticated
    return user


def _manager(request: HttpRequest) -> None:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change escalation policies",
    )


@router.get("/escalation-policies", response=list[PolicyOut])
def list_policies(request: HttpRequest) -> Any:
    return EscalationPolicy.objects.all()


@router.post("/escalation-policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIO) -> Any:
    _manager(request)
    return Status(201, services.save_policy(None, **payload.dict()))


@router.put("/escalation-policies/{policy_id}", response=PolicyOut)
def replace_policy(request: HttpRequest, policy_id: int, payload: PolicyIO) -> Any:
    _manager(request)
    policy = get_or_404(EscalationPolicy.objects, "escalation policy", pk=policy_id)
    return services.save_policy(policy, **payload.dict())


@router.get("/incidents/{incident_id}/paging", response=PagingOut)
def incident_paging(request: HttpRequest, incident_id: int) -> Any:
    incident = visible_incidents(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("incident not found")
    return get_or_404(Paging.objects.select_related("acknowledged_by"), "paging", incident=incident)


@router.get("/me/notification-rules", response=list[RuleIO])
def my_rules(request: HttpRequest) -> Any:
    return [
        {"contact_method": r.contact_method.label, "delay_minutes": r.delay_minutes}
        for r in NotificationRule.objects.filter(user=_me(request)).select_related("contact_method")
    ]


@router.put("/me/notification-rules", response=list[RuleIO])
def set_my_rules(request: HttpRequest, payload: list[RuleIO]) -> Any:
    user = _me(request)
    methods = {m.label: m for m in ContactMethod.objects.filter(user=user)}
    rules = []
    for i, rule in enumerate(payload):
        if rule.contact_method not in methods:
            raise DomainError(
                f"{i}.contact_method",
                f"you have no contact method labelled {rule.contact_method!r}",
            )
        rules.append((methods[rule.contact_method], rule.delay_minutes))
    services.set_notification_rules(user, rules)
    return my_rules(request)
