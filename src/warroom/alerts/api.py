"""Alerts in the REST API: integrations, routing rules, silences, maintenance windows, alerts.

Everyone signed in reads (an integration's key never: only its first characters); the people
who manage the plan (administrators, the commander, the deputy) change. Every endpoint:
parse → authorise → one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.alerts import configure, keys, queries
from warroom.alerts import schemas as s
from warroom.alerts.models import Integration, MaintenanceWindow, RoutingRule, Silence
from warroom.api.common import get_or_404, require
from warroom.catalog.models import System
from warroom.lib.errors import DomainError
from warroom.people.access import can_manage_plan

router = Router(tags=["alerts"])

MANAGERS_ONLY = "only the commander, the deputy or an administrator may change alert settings"


def _manager(request: HttpRequest) -> User:
    require(can_manage_plan(request.user), MANAGERS_ONLY)
    user = request.user
    assert isinstance(user, User)
    return user


def _system(name: str | None, field: str) -> System | None:
    if not name:
        return None
    system = System.objects.filter(name=name).first()
    if system is None:
        raise DomainError(field, f"unknown system {name!r}")
    return system


def _integration_id(pk: int | None) -> Integration | None:
    if pk is None:
        return None
    integration = Integration.objects.filter(pk=pk).first()
    if integration is None:
        raise DomainError("integration", f"unknown integration {pk}")
    return integration


def _with_key(integration: Integration, raw: str) -> Integration:
    # Attributes of this response only: the raw key is never stored.
    integration.key = raw  # type: ignore[attr-defined]
    integration.url = keys.webhook_url(integration.kind, raw)  # type: ignore[attr-defined]
    return integration


# Integrations ----------------------------------------


@router.get("/integrations", response=list[s.IntegrationOut])
def list_integrations(request: HttpRequest) -> Any:
    return Integration.objects.select_related("default_system", "default_escalation_policy")


@router.post("/integrations", response={201: s.IntegrationKeyOut})
def create_integration(request: HttpRequest, payload: s.IntegrationIn) -> Any:
    user = _manager(request)
    data = payload.dict(exclude={"kind", "name"})
    data["default_system"] = _system(payload.default_system, "default_system")
    integration, raw = configure.create_integration(
        kind=payload.kind, name=payload.name, created_by=user, **data
    )
    return Status(201, _with_key(integration, raw))


@router.get("/integrations/{integration_id}", response=s.IntegrationOut)
def get_integration(request: HttpRequest, integration_id: int) -> Any:
    return get_or_404(
        Integration.objects.select_related("default_system", "default_escalation_policy"),
        "integration",
        pk=integration_id,
    )


@router.patch("/integrations/{integration_id}", response=s.IntegrationOut)
def update_integration(
    request: HttpRequest, integration_id: int, payload: s.IntegrationPatch
) -> Any:
    _manager(request)
    integration = get_or_404(Integration.objects, "integration", pk=integration_id)
    data = payload.dict(exclude_unset=True)
    if "default_system" in data:
        data["default_system"] = _system(data["default_system"], "default_system")
    return configure.update_integration(integration, **data)


@router.post("/integrations/{integration_id}/rotate-key", response=s.IntegrationKeyOut)
def rotate_key(request: HttpRequest, integration_id: int) -> Any:
    _manager(request)
    integration = get_or_404(Integration.objects, "integration", pk=integration_id)
    raw = configure.rotate_key(integration)
    return _with_key(integration, raw)


# Routing rules ----------------------------------------


def _rule_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "system" in data:
        data["system"] = _system(data["system"], "system")
    if "integration" in data:
        data["integration"] = _integration_id(data["integration"])
    return data


@router.get("/routing-rules", response=list[s.RoutingRuleOut])
def list_rules(request: HttpRequest) -> Any:
    return RoutingRule.objects.select_related("system", "escalation_policy")


@router.post("/routing-rules", response={201: s.RoutingRuleOut})
def create_rule(request: HttpRequest, payload: s.RoutingRuleIn) -> Any:
    _manager(request)
    return Status(201, configure.save_routing_rule(None, **_rule_fields(payload.dict())))


@router.patch("/routing-rules/{rule_id}", response=s.RoutingRuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: s.RoutingRulePatch) -> Any:
    _manager(request)
    rule = get_or_404(RoutingRule.objects, "routing rule", pk=rule_id)
    return configure.save_routing_rule(rule, **_rule_fields(payload.dict(exclude_unset=True)))


@router.delete("/routing-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    _manager(request)
    configure.delete_routing_rule(get_or_404(RoutingRule.objects, "routing rule", pk=rule_id))
    return Status(204, None)


# Silences and maintenance windows ------------------------------


@router.get("/silences", response=list[s.SilenceOut])
def list_silences(request: HttpRequest, active: bool = False) -> Any:
    items = queries.active_silences() if active else Silence.objects.select_related("created_by")
    return items[:500]


@router.post("/silences", response={201: s.SilenceOut})
def create_silence(request: HttpRequest, payload: s.SilenceIn) -> Any:
    user = _manager(request)
    silence = configure.create_silence(
        matchers=[m.dict() for m in payload.matchers],
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        comment=payload.comment,
        created_by=user,
    )
    return Status(201, silence)


@router.post("/silences/{silence_id}/expire", response=s.SilenceOut)
def expire_silence(request: HttpRequest, silence_id: int) -> Any:
    _manager(request)
    return configure.expire_silence(get_or_404(Silence.objects, "silence", pk=silence_id))


@router.get("/maintenance-windows", response=list[s.MaintenanceOut])
def list_maintenance(request: HttpRequest, active: bool = False) -> Any:
    items = (
        queries.active_maintenance()
        if active
        else MaintenanceWindow.objects.select_related("created_by").prefetch_related("systems")
    )
    return items[:500]


@router.post("/maintenance-windows", response={201: s.MaintenanceOut})
def create_maintenance(request: HttpRequest, payload: s.MaintenanceIn) -> Any:
    user = _manager(request)
    systems = [_system(name, f"systems.{i}") for i, name in enumerate(payload.systems)]
    window = configure.create_maintenance(
        systems=[system for system in systems if system is not None],
        matchers=[m.dict() for m in payload.matchers],
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
        created_by=user,
    )
    return Status(201, window)


@router.post("/maintenance-windows/{window_id}/end", response=s.MaintenanceOut)
def end_maintenance(request: HttpRequest, window_id: int) -> Any:
    _manager(request)
    return configure.end_maintenance(
        get_or_404(MaintenanceWindow.objects, "maintenance window", pk=window_id)
    )


# Alerts ----------------------------------------


@router.get("/alerts", response=list[s.AlertOut])
@paginate(LimitOffsetPagination)
def list_alerts(request: HttpRequest, status: str | None = None) -> Any:
    items = queries.visible_alerts(request.user)
    return items.filter(status=status) if status else items


@router.get("/alerts/{alert_id}", response=s.AlertOut)
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    return get_or_404(queries.visible_alerts(request.user), "alert", pk=alert_id)
