"""API schemas of the alerts app (management endpoints; the webhooks parse their own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from warroom.alerts.models import Integration


class MatcherIn(Schema):
    label: str
    op: str = "="
    value: str = ""


class IntegrationOut(Schema):
    id: int
    name: str
    kind: str
    key_prefix: str
    enabled: bool
    rate_limit: int
    auto_resolve: bool
    drill: bool
    default_system: str | None
    default_category: str
    default_level: str
    default_group_by: list[str]
    default_group_window: int
    default_escalation_policy: str | None
    templates: dict[str, str]
    created_at: dt.datetime
    key_rotated_at: dt.datetime

    @staticmethod
    def resolve_default_system(obj: Integration) -> str | None:
        return obj.default_system.name if obj.default_system else None

    @staticmethod
    def resolve_default_escalation_policy(obj: Integration) -> str | None:
        policy = obj.default_escalation_policy
        return policy.name if policy else None


class IntegrationKeyOut(IntegrationOut):
    """Returned when a key is made: the only time the key is shown."""

    key: str
    url: str


class IntegrationIn(Schema):
    kind: str
    name: str = Field(min_length=1, max_length=120)
    enabled: bool = True
    rate_limit: int = 600
    auto_resolve: bool = False
    drill: bool = False
    default_system: str | None = None
    default_category: str = ""
    default_level: str = ""
    default_group_by: list[str] = []
    default_group_window: int = 30
    default_escalation_policy: str | None = None
    templates: dict[str, str] = {}


class IntegrationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    enabled: bool | None = None
    rate_limit: int | None = None
    auto_resolve: bool | None = None
    drill: bool | None = None
    default_system: str | None = None
    default_category: str | None = None
    default_level: str | None = None
    default_group_by: list[str] | None = None
    default_group_window: int | None = None
    default_escalation_policy: str | None = None
    templates: dict[str, str] | None = None


class RoutingRuleOut(Schema):
    id: int
    position: int
    name: str
    integration: int | None = Field(None, alias="integration_id")
    matchers: list[dict[str, str]]
    system: str | None
    category: str
    level: str
    group_by: list[str]
    group_window: int
    escalation_policy: str | None

    @staticmethod
    def resolve_system(obj: Any) -> str | None:
        return obj.system.name if obj.system else None

    @staticmethod
    def resolve_escalation_policy(obj: Any) -> str | None:
        return obj.escalation_policy.name if obj.escalation_policy else None


class RoutingRuleIn(Schema):
    position: int = 0
    name: str = ""
    integration: int | None = None
    matchers: list[MatcherIn] = []
    system: str | None = None
    category: str = ""
    level: str = ""
    group_by: list[str] = []
    group_window: int = 30
    escalation_policy: str | None = None


class RoutingRulePatch(Schema):
    position: int | None = None
    name: str | None = None
    integration: int | None = None
    matchers: list[MatcherIn] | None = None
    system: str | None = None
    category: str | None = None
    level: str | None = None
    group_by: list[str] | None = None
    group_window: int | None = None
    escalation_policy: str | None = None


class _PeriodOut(Schema):
    id: int
    matchers: list[dict[str, str]]
    starts_at: dt.datetime
    ends_at: dt.datetime
    created_by: str | None
    active: bool

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return bool(obj.starts_at <= dt.datetime.now(dt.UTC) < obj.ends_at)


class SilenceOut(_PeriodOut):
    comment: str


class SilenceIn(Schema):
    matchers: list[MatcherIn]
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime
    comment: str


class MaintenanceOut(_PeriodOut):
    systems: list[str]
    reason: str

    @staticmethod
    def resolve_systems(obj: Any) -> list[str]:
        return sorted(s.name for s in obj.systems.all())


class MaintenanceIn(Schema):
    systems: list[str] = []
    matchers: list[MatcherIn] = []
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime
    reason: str


class AlertOut(Schema):
    id: int
    integration: str = Field(alias="integration.name")
    fingerprint: str
    status: str
    title: str
    severity: str
    labels: dict[str, Any]
    annotations: dict[str, Any]
    source: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    incident: int | None = Field(None, alias="incident_id")
    system: str | None
    category: str
    level: str
    suppressed_by: str

    @staticmethod
    def resolve_system(obj: Any) -> str | None:
        return obj.system.name if obj.system else None
