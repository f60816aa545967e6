"""Every transition of the table, and the forbidden ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from warroom.incidents.models import Incident, Report, Status
from warroom.incidents.models.review import ReportState
from warroom.incidents.services import report_incident
from warroom.incidents.transitions import (
    TRANSITIONS,
    TransitionDenied,
    TransitionError,
    transition,
)

pytestmark = pytest.mark.django_db

ALL = [s.value for s in Status]
STAMPS = {
    "acknowledged": "acknowledged_at",
    "assessed": "assessed_at",
    "responding": "responding_at",
    "recovering": "recovering_at",
    "resolved": "resolved_at",
    "reviewing": "reviewing_at",
    "closed": "closed_at",
    "cancelled": "cancelled_at",
}


def _incident_in(state: str, reporter: User) -> Incident:
    incident = report_incident(reporter=reporter, title=f"in {state}")
    # Test setup only: put the row straight into the state under test.
    Incident.objects.filter(pk=incident.pk).update(
        status=state, level="high", category="system_failure"
    )
    incident.refresh_from_db()
    return incident


def _report_in(incident: Incident, state: str) -> Report:
    # Test setup only: the report in the state under test, without its review steps.
    return Report.objects.create(incident=incident, state=state)


def test_table_is_the_documented_lifecycle() -> None:
    assert sorted(TRANSITIONS) == sorted(
        [
            ("reported", "acknowledged"),
            ("acknowledged", "assessed"),
            ("assessed", "responding"),
            ("responding", "recovering"),
            ("recovering", "responding"),
            ("recovering", "resolved"),
            ("resolved", "reviewing"),
            ("reviewing", "closed"),
            ("reported", "cancelled"),
            ("acknowledged", "cancelled"),
            ("assessed", "cancelled"),
            ("responding", "cancelled"),
            ("recovering", "cancelled"),
        ]
    )


@pytest.mark.parametrize(("frm", "to"), sorted(TRANSITIONS))
def test_each_allowed_transition(frm: str, to: str, commander: User, outsider: User) -> None:
    incident = _incident_in(frm, outsider)
    if to == "closed":
        _report_in(incident, ReportState.APPROVED)
    reason = "because" if to == "cancelled" or (frm, to) == ("recovering", "responding") else ""
    result = transition(incident, to, actor=commander, reason=reason)
    assert result.status == to
    if to in STAMPS and (frm, to) != ("recovering", "responding"):
        assert getattr(result, STAMPS[to]) is not None
    last = result.timeline.filter(kind="status").order_by("-seq").first()
    assert (last.kind, last.data, last.actor) == (
        "status",
        {"from": frm, "to": to, "reason": reason},
        commander,
    )


@pytest.mark.parametrize(
    ("frm", "to"),
    [(a, b) for a in ALL for b in ALL if (a, b) not in TRANSITIONS],
)
def test_each_forbidden_transition(frm: str, to: str, commander: User, outsider: User) -> None:
    incident = _incident_in(frm, outsider)
    length = incident.timeline_length
    with pytest.raises(TransitionError) as info:
        transition(incident, to, actor=commander, reason="x")
    assert not isinstance(info.value, TransitionDenied)
    incident.refresh_from_db()
    assert (incident.status, incident.timeline_length) == (frm, length)


def test_outsider_may_not_acknowledge(outsider: User, ops_rep: User) -> None:
    incident = report_incident(reporter=outsider, title="printer on fire")
    with pytest.raises(TransitionDenied):
        transition(incident, Status.ACKNOWLEDGED, actor=outsider)
    transition(incident, Status.ACKNOWLEDGED, actor=ops_rep)
    assert Incident.objects.get(pk=incident.pk).status == "acknowledged"


def test_member_may_not_assess_or_close(ops_rep: User, commander: User, outsider: User) -> None:
    incident = _incident_in("acknowledged", outsider)
    with pytest.raises(TransitionDenied):
        transition(incident, Status.ASSESSED, actor=ops_rep)
    incident = _incident_in("reviewing", outsider)
    with pytest.raises(TransitionDenied):
        transition(incident, Status.CLOSED, actor=ops_rep)


@pytest.mark.parametrize(
    ("state", "shown"), [(None, "not drafted"), ("draft", "Draft"), ("in_review", "In review")]
)
def test_closing_needs_the_report_approved(
    state: str | None, shown: str, commander: User, outsider: User
) -> None:
    incident = _incident_in("reviewing", outsider)
    if state is not None:
        _report_in(incident, state)
    length = incident.timeline_length
    with pytest.raises(TransitionError) as info:
        transition(incident, Status.CLOSED, actor=commander)
    assert not isinstance(info.value, TransitionDenied)
    assert str(info.value) == (
        f"the post-incident report must be approved before the incident is closed (report: {shown})"
    )
    incident.refresh_from_db()
    assert (incident.status, incident.closed_at, incident.timeline_length) == (
        "reviewing",
        None,
        length,
    )


@pytest.mark.parametrize("state", ["approved", "published"])
def test_an_approved_or_published_report_lets_the_commander_close(
    state: str, commander: User, outsider: User
) -> None:
    incident = _incident_in("reviewing", outsider)
    _report_in(incident, state)
    assert transition(incident, Status.CLOSED, actor=commander).status == "closed"


def test_a_drill_closes_without_an_approved_report(commander: User, outsider: User) -> None:
    incident = _incident_in("reviewing", outsider)
    Incident.objects.filter(pk=incident.pk).update(is_drill=True)
    _report_in(incident, ReportState.DRAFT)
    assert transition(incident, Status.CLOSED, actor=commander).status == "closed"


def test_the_role_is_checked_before_the_report(
    ops_rep: User, commander: User, outsider: User
) -> None:
    # A member without the right is told so, not told to approve the report first.
    incident = _incident_in("reviewing", outsider)
    with pytest.raises(TransitionDenied):
        transition(incident, Status.CLOSED, actor=ops_rep)


def test_cancel_needs_a_reason(commander: User, outsider: User) -> None:
    incident = _incident_in("reported", outsider)
    with pytest.raises(TransitionError, match="a reason is required"):
        transition(incident, Status.CANCELLED, actor=commander)


def test_assessed_needs_level_and_category(commander: User, outsider: User) -> None:
    incident = _incident_in("acknowledged", outsider)
    Incident.objects.filter(pk=incident.pk).update(level="")
    with pytest.raises(TransitionError, match="assess the impact level"):
        transition(incident, Status.ASSESSED, actor=commander)


def test_resolving_needs_the_recovery_checklist(
    commander: User, outsider: User, deputy: User
) -> None:
    from warroom.incidents.models import RecoveryItem
    from warroom.incidents.services import resolve_incident

    incident = _incident_in("recovering", outsider)
    RecoveryItem.objects.create(
        incident=incident, code="full_check", department="operations", title_en="Full check"
    )
    with pytest.raises(TransitionError, match="recovery checklist is not complete"):
        resolve_incident(incident, actor=deputy)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        resolve_incident(incident, actor=deputy, override_reason="customers waiting")
    resolved = resolve_incident(incident, actor=commander, override_reason="customers waiting")
    assert (resolved.status, resolved.resolve_override) == ("resolved", "customers waiting")
    kinds = list(resolved.timeline.order_by("seq").values_list("kind", flat=True))
    assert kinds[-3:] == ["resolve_override", "status", "report_drafted"]


def test_status_is_not_editable_elsewhere(plan: Any) -> None:
    assert Incident._meta.get_field("status").editable is False
