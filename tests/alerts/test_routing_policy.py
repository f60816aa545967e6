"""The escalation policy of a routing rule (or of an integration): an alert routed by it opens
an incident paged through that policy instead of the default one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from tests.alerts.conftest import Make
from warroom.alerts import configure, services
from warroom.alerts.models import Integration, RoutingRule
from warroom.alerts.normalize import Incoming
from warroom.catalog.models import System
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError
from warroom.notify.models import Delivery
from warroom.paging.models import EscalationPolicy, Paging
from warroom.paging.services import save_policy

pytestmark = pytest.mark.django_db


def fire(fingerprint: str, **labels: str) -> Incoming:
    return Incoming(
        fingerprint=fingerprint, action="trigger", title=f"alert {fingerprint}", labels=labels
    )


def paged(incident: Incident | None) -> list[str]:
    assert incident is not None
    return sorted(
        Delivery.objects.filter(incident_id=incident.pk).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.fixture
def dba(make_person: Callable[..., User]) -> User:
    """The database on-call person: no plan role, so only a policy naming them pages them."""
    return make_person("dora", contact_methods=[{"label": "hook", "url": "json://127.0.0.1:9/d"}])


@pytest.fixture
def db_policy(dba: User, paged_commander: User) -> EscalationPolicy:
    return save_policy(
        None,
        name="Database on call",
        steps=[
            {"wait_minutes": 10, "targets": [{"type": "person", "username": "dora"}]},
            {"wait_minutes": 10, "targets": [{"type": "role", "role": "commander"}]},
        ],
    )


def test_an_alert_routed_by_a_rule_with_a_policy_pages_its_first_step(
    make_integration: Make, erp: System, db_policy: EscalationPolicy
) -> None:
    integration, _ = make_integration(default_system=erp)
    configure.save_routing_rule(
        None,
        matchers=[{"label": "service", "op": "=", "value": "db"}],
        escalation_policy=db_policy,
    )

    [alert] = services.ingest(integration, [fire("a", service="db")])

    assert paged(alert.incident) == ["dora"]  # not the commander of the default team
    paging = Paging.objects.get(incident=alert.incident)
    assert (paging.policy_name, paging.step, paging.steps) == (
        "Database on call",
        1,
        db_policy.steps,
    )


def test_an_alert_routed_by_a_rule_without_a_policy_pages_the_default_team(
    make_integration: Make, erp: System, db_policy: EscalationPolicy
) -> None:
    integration, _ = make_integration(default_system=erp)
    configure.save_routing_rule(None, matchers=[{"label": "service", "op": "=", "value": "web"}])

    [alert] = services.ingest(integration, [fire("a", service="web")])

    assert paged(alert.incident) == ["chen"]
    assert Paging.objects.get(incident=alert.incident).policy_name == "plan"


def test_a_rule_without_a_policy_uses_the_integrations_and_a_rule_with_one_wins(
    make_integration: Make, erp: System, db_policy: EscalationPolicy, dba: User
) -> None:
    commander_first = save_policy(
        None,
        name="Commander first",
        steps=[{"targets": [{"type": "role", "role": "commander"}]}],
    )
    integration, _ = make_integration(default_escalation_policy="Database on call")
    configure.save_routing_rule(
        None,
        matchers=[{"label": "service", "op": "=", "value": "erp"}],
        system=erp,
        escalation_policy=commander_first,
    )

    erp_alert, other = services.ingest(
        integration, [fire("a", service="erp"), fire("b", service="crm")]
    )

    assert paged(erp_alert.incident) == ["chen"]
    assert paged(other.incident) == ["dora"]
    assert integration.default_escalation_policy == db_policy


def test_a_rule_without_a_policy_keeps_a_default_policy_set_by_a_manager(
    make_integration: Make, erp: System, db_policy: EscalationPolicy
) -> None:
    save_policy(
        db_policy,
        name=db_policy.name,
        steps=db_policy.steps,
        is_default=True,
    )
    integration, _ = make_integration(default_system=erp)
    configure.save_routing_rule(None, system=erp)

    [alert] = services.ingest(integration, [fire("a")])

    assert paged(alert.incident) == ["dora"]


def test_deleting_a_policy_leaves_its_rules_routing_and_paging_the_default_team(
    make_integration: Make, erp: System, crm: System, db_policy: EscalationPolicy
) -> None:
    integration, _ = make_integration(default_escalation_policy=db_policy)
    rule = configure.save_routing_rule(None, system=crm, escalation_policy=db_policy)

    db_policy.delete()

    rule.refresh_from_db()
    integration = Integration.objects.get(pk=integration.pk)
    assert (rule.escalation_policy, rule.system) == (None, crm)
    assert integration.default_escalation_policy is None
    [alert] = services.ingest(integration, [fire("a")])
    assert alert.system == crm
    assert paged(alert.incident) == ["chen"]


def test_an_unknown_policy_is_refused_naming_the_field(
    make_integration: Make, db_policy: EscalationPolicy
) -> None:
    rule = configure.save_routing_rule(None, name="db", escalation_policy="Database on call")
    assert rule.escalation_policy == db_policy

    with pytest.raises(DomainError) as refused:
        configure.save_routing_rule(rule, escalation_policy="Nobody")
    assert (refused.value.field, refused.value.message) == (
        "escalation_policy",
        "unknown escalation policy 'Nobody'",
    )
    with pytest.raises(DomainError) as wrong_type:
        make_integration(default_escalation_policy=7)
    assert wrong_type.value.field == "default_escalation_policy"
    rule.refresh_from_db()
    assert rule.escalation_policy == db_policy
    assert RoutingRule.objects.count() == 1
