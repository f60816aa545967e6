"""Writes of the alert configuration: integrations and their keys, routing rules, silences
and maintenance windows. Each raises DomainError naming the field at fault.

Who may call them (people who manage the plan) is checked by the views, the API and the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.alerts import keys, queries
from warroom.alerts.matchers import LABEL_NAME, clean_matchers
from warroom.alerts.models import Integration, Kind, MaintenanceWindow, RoutingRule, Silence
from warroom.alerts.templating import clean_templates
from warroom.catalog.models import System
from warroom.lib.errors import DomainError
from warroom.paging.models import EscalationPolicy
from warroom.plan.queries import NoPlanError, current_plan

MAX_RATE_LIMIT = 1_000_000
MAX_WINDOW_MINUTES = 7 * 24 * 60
INTEGRATION_FIELDS = (
    "name",
    "enabled",
    "rate_limit",
    "auto_resolve",
    "drill",
    "default_system",
    "default_category",
    "default_level",
    "default_group_by",
    "default_group_window",
    "default_escalation_policy",
    "templates",
)
RULE_FIELDS = (
    "position",
    "name",
    "integration",
    "matchers",
    "system",
    "category",
    "level",
    "group_by",
    "group_window",
    "escalation_policy",
)
# Gap between rule positions after a move: a rule can still be put between two by position.
POSITION_STEP = 10


# Integrations -------------------------------------------------------------------------------


def create_integration(
    *, kind: str, name: str, created_by: User | None, **fields: Any
) -> tuple[Integration, str]:
    """A new integration and its raw key; the key is returned this once and stored only as a
    digest. `fields` are those of update_integration."""
    if kind not in Kind.values:
        raise DomainError("kind", _("one of %(kinds)s") % {"kinds": ", ".join(Kind.values)})
    raw = keys.new_key()
    integration = Integration(
        kind=kind,
        created_by=created_by,
        key_prefix=raw[: keys.PREFIX_LENGTH],
        key_digest=keys.digest(raw),
    )
    _apply_integration(integration, {"name": name, **fields})
    integration.save()
    return integration, raw


def update_integration(integration: Integration, **fields: Any) -> Integration:
    _apply_integration(integration, fields)
    integration.save()
    return integration


def rotate_key(integration: Integration) -> str:
    """Give the integration a new key and return it (shown once); the old key stops working
    at once, so the sender must be reconfigured."""
    raw = keys.new_key()
    integration.key_prefix = raw[: keys.PREFIX_LENGTH]
    integration.key_digest = keys.digest(raw)
    integration.key_rotated_at = timezone.now()
    integration.save(update_fields=["key_prefix", "key_digest", "key_rotated_at", "updated_at"])
    return raw


def _apply_integration(integration: Integration, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(INTEGRATION_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], _("unknown field"))
    data = dict(fields)
    if "name" in data:
        data["name"] = _text(data["name"], "name", 120, required=True)
    if "rate_limit" in data:
        data["rate_limit"] = _number(data["rate_limit"], "rate_limit", 0, MAX_RATE_LIMIT)
    if "default_group_window" in data:
        data["default_group_window"] = _number(
            data["default_group_window"], "default_group_window", 0, MAX_WINDOW_MINUTES
        )
    if "default_system" in data:
        _system(data["default_system"], "default_system")
    if "default_category" in data:
        data["default_category"] = _plan_code("risk_categories", data["default_category"])
    if "default_level" in data:
        data["default_level"] = _plan_code("impact_levels", data["default_level"])
    if "default_group_by" in data:
        data["default_group_by"] = _label_names(data["default_group_by"], "default_group_by")
    if "default_escalation_policy" in data:
        data["default_escalation_policy"] = _policy(
            data["default_escalation_policy"], "default_escalation_policy"
        )
    if "templates" in data:
        data["templates"] = clean_templates(data["templates"])
        if data["templates"] and integration.kind != Kind.GENERIC:
            raise DomainError("templates", _("only generic integrations map payloads"))
    for name, value in data.items():
        setattr(integration, name, value)


# Routing rules ------------------------------------------------------------------------------


def save_routing_rule(rule: RoutingRule | None, **fields: Any) -> RoutingRule:
    """Create (rule=None) or change a routing rule. A new rule without a position goes after
    the others. `escalation_policy` is a policy, its name, or None (the integration's or the
    default policy)."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], _("unknown field"))
    data = dict(fields)
    if rule is None and "position" not in data:
        last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
        data["position"] = 0 if last is None else last + POSITION_STEP
    rule = rule or RoutingRule()
    if "name" in data:
        data["name"] = _text(data["name"], "name", 120)
    if "position" in data:
        data["position"] = _number(data["position"], "position", 0, 1_000_000)
    if "matchers" in data:
        data["matchers"] = clean_matchers(data["matchers"])
    if "system" in data:
        _system(data["system"], "system")
    if "category" in data:
        data["category"] = _plan_code("risk_categories", data["category"], "category")
    if "level" in data:
        data["level"] = _plan_code("impact_levels", data["level"], "level")
    if "group_by" in data:
        data["group_by"] = _label_names(data["group_by"], "group_by")
    if "group_window" in data:
        data["group_window"] = _number(data["group_window"], "group_window", 0, MAX_WINDOW_MINUTES)
    if "escalation_policy" in data:
        data["escalation_policy"] = _policy(data["escalation_policy"], "escalation_policy")
    for name, value in data.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def delete_routing_rule(rule: RoutingRule) -> None:
    rule.delete()


def move_routing_rule(rule: RoutingRule, *, up: bool) -> list[RoutingRule]:
    """Swap the rule with the one before it (up) or after it, and number all rules
    POSITION_STEP apart in their new order — rules may share a position (then the older comes
    first), so swapping two positions would not always move anything. Moving the first rule
    up or the last down changes nothing. Returns the rules in order.

    The rules are locked (on PostgreSQL) while they are renumbered, so two moves at once
    apply one after the other."""
    with transaction.atomic():
        rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
        index = next((i for i, r in enumerate(rules) if r.pk == rule.pk), None)
        if index is None:
            raise DomainError("rule", _("this routing rule no longer exists"))
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rules):
            return rules
        rules[index], rules[other] = rules[other], rules[index]
        changed = []
        for number, item in enumerate(rules, start=1):
            if item.position != number * POSITION_STEP:
                item.position = number * POSITION_STEP
                changed.append(item)
        RoutingRule.objects.bulk_update(changed, ["position"])
        queries.routing_changed()  # bulk_update sends no signals
    return rules


# Silences and maintenance windows ------------------------------------------------------------


def create_silence(
    *,
    matchers: Any,
    ends_at: dt.datetime,
    comment: str,
    created_by: User | None,
    starts_at: dt.datetime | None = None,
) -> Silence:
    """Silence alerts matching all `matchers` (at least one) from `starts_at` (default now)
    until `ends_at`."""
    cleaned = clean_matchers(matchers)
    if not cleaned:
        raise DomainError("matchers", _("a silence needs at least one matcher"))
    starts_at, ends_at = _period(starts_at, ends_at)
    return Silence.objects.create(
        matchers=cleaned,
        starts_at=starts_at,
        ends_at=ends_at,
        comment=_text(comment, "comment", 2000, required=True),
        created_by=created_by,
    )


def expire_silence(silence: Silence) -> Silence:
    """End the silence now (an ended one stays as it is, for the record)."""
    now = timezone.now()
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
        silence.save(update_fields=["ends_at"])
    return silence


def create_maintenance(
    *,
    systems: Iterable[System] = (),
    matchers: Any = (),
    ends_at: dt.datetime,
    reason: str,
    created_by: User | None,
    starts_at: dt.datetime | None = None,
) -> MaintenanceWindow:
    """A maintenance window over `systems` and/or the alerts matching `matchers`."""
    chosen = list(systems)
    cleaned = clean_matchers(list(matchers))
    if not chosen and not cleaned:
        raise DomainError("systems", _("name at least one system or one matcher"))
    starts_at, ends_at = _period(starts_at, ends_at)
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            matchers=cleaned,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=_text(reason, "reason", 2000, required=True),
            created_by=created_by,
        )
        window.systems.set(chosen)
    return window


def end_maintenance(window: MaintenanceWindow) -> MaintenanceWindow:
    now = timezone.now()
    if window.ends_at > now:
        window.ends_at = max(now, window.starts_at)
        window.save(update_fields=["ends_at"])
    return window


# Checks ------------------------------------------------------------------------------------------


def _period(starts_at: dt.datetime | None, ends_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    starts_at = starts_at or timezone.now()
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError("starts_at", _("give times with their time zone"))
    if ends_at <= starts_at:
        raise DomainError("ends_at", _("must be after the start"))
    if ends_at <= timezone.now():
        raise DomainError("ends_at", _("must be in the future"))
    return starts_at, ends_at


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise DomainError(field, _("text is required"))
    value = value.strip()
    if required and not value:
        raise DomainError(field, _("required"))
    if len(value) > limit:
        raise DomainError(field, _("at most %(n)d characters") % {"n": limit})
    return value


def _number(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(
            field, _("a whole number from %(low)d to %(high)d") % {"low": low, "high": high}
        )
    return value


def _system(value: Any, field: str) -> None:
    if value is not None and not isinstance(value, System):
        raise DomainError(field, _("unknown system"))


def _policy(value: Any, field: str) -> EscalationPolicy | None:
    """None, a policy, or a policy's name (as the API gives it)."""
    if value is None or value == "":
        return None
    if isinstance(value, EscalationPolicy):
        if value.pk is None:
            raise DomainError(field, _("unknown escalation policy"))
        return value
    if not isinstance(value, str):
        raise DomainError(field, _("the name of an escalation policy is required"))
    policy = EscalationPolicy.objects.filter(name=value.strip()).first()
    if policy is None:
        raise DomainError(field, _("unknown escalation policy %(name)r") % {"name": value})
    return policy


def _label_names(value: Any, field: str) -> list[str]:
    if not isinstance(value, list | tuple):
        raise DomainError(field, _("a list of label names is required"))
    names = []
    for index, name in enumerate(value):
        if not isinstance(name, str) or not LABEL_NAME.match(name):
            raise DomainError(f"{field}.{index}", _("not a label name"))
        if name not in names:
            names.append(name)
    return names


def _plan_code(kind: str, value: Any, field: str | None = None) -> str:
    field = field or ("default_category" if kind == "risk_categories" else "default_level")
    if not isinstance(value, str):
        raise DomainError(field, _("text is required"))
    value = value.strip()
    if not value:
        return ""
    try:
        plan = current_plan()
    except NoPlanError as exc:
        raise DomainError(field, _("no plan is applied yet")) from exc
    known = plan.category(value) if kind == "risk_categories" else plan.level(value)
    if known is None:
        what = _("risk category") if kind == "risk_categories" else _("impact level")
        raise DomainError(field, _("unknown %(what)s %(code)r") % {"what": what, "code": value})
    return value
