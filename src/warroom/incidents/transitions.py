"""The incident lifecycle: the one function that changes an incident's status, and its table.

    reported → acknowledged → assessed → responding → recovering → resolved → reviewing → closed
    any open state → cancelled (false alarm, or merged into another incident)
    recovering → responding (the fix did not hold)

Each rule names who may take it (see roles.py), the phase time it stamps and any guard:
closing needs the post-incident report approved or published (drills excepted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warroom.incidents.models import Incident, Report, Status
from warroom.incidents.models.review import ReportState
from warroom.incidents.roles import actor_kinds
from warroom.incidents.timeline import append_event

LEADS = frozenset({"admin", "commander", "deputy"})
TEAM = LEADS | {"team"}


class TransitionError(Exception):
    """The transition is not possible from the incident's current state (HTTP 409, exit 1)."""


class TransitionDenied(TransitionError):
    """The actor's role does not allow this transition (HTTP 403, exit 1)."""


Guard = Callable[[Incident, "User | None", str], None]


@dataclass(frozen=True)
class Rule:
    who: frozenset[str]
    stamp: str | None
    guards: tuple[Guard, ...] = field(default=())


def _needs_reason(incident: Incident, actor: User | None, reason: str) -> None:
    if not reason.strip():
        raise TransitionError(_("a reason is required"))


def _needs_assessment(incident: Incident, actor: User | None, reason: str) -> None:
    if not incident.level or not incident.category:
        raise TransitionError(_("assess the impact level and risk category first"))


def _recovery_checklist_complete(incident: Incident, actor: User | None, reason: str) -> None:
    # The plan's §4.5 checks come before resolution, unless the commander overrides with a
    # reason (recorded on the incident and on the timeline).
    if not incident.recovery_items.filter(signed_at__isnull=True).exists():
        return
    if (
        incident.resolve_override.strip()
        and actor is not None
        and (actor_kinds(actor, incident) & {"admin", "commander"})
    ):
        return
    raise TransitionError(
        _("the recovery checklist is not complete; only the commander may override with a reason")
    )


def _report_signed_off(incident: Incident, actor: User | None, reason: str) -> None:
    # Plan §4.6: an incident ends with its reviewed report, so closing waits for the
    # commander's approval. A drill is judged by its drill report and scoring instead.
    if incident.is_drill:
        return
    state = Report.objects.filter(incident=incident).values_list("state", flat=True).first()
    if state in (ReportState.APPROVED, ReportState.PUBLISHED):
        return
    raise TransitionError(
        _(
            "the post-incident report must be approved before the incident is closed "
            "(report: %(state)s)"
        )
        % {"state": ReportState(state).label if state else _("not drafted")}
    )


OPEN = (Status.REPORTED, Status.ACKNOWLEDGED, Status.ASSESSED, Status.RESPONDING, Status.RECOVERING)

TRANSITIONS: dict[tuple[str, str], Rule] = {
    (Status.REPORTED, Status.ACKNOWLEDGED): Rule(TEAM, "acknowledged_at"),
    (Status.ACKNOWLEDGED, Status.ASSESSED): Rule(LEADS, "assessed_at", (_needs_assessment,)),
    (Status.ASSESSED, Status.RESPONDING): Rule(LEADS, "responding_at"),
    (Status.RESPONDING, Status.RECOVERING): Rule(LEADS, "recovering_at"),
    (Status.RECOVERING, Status.RESPONDING): Rule(LEADS, None, (_needs_reason,)),
    (Status.RECOVERING, Status.RESOLVED): Rule(
        LEADS, "resolved_at", (_recovery_checklist_complete,)
    ),
    (Status.RESOLVED, Status.REVIEWING): Rule(LEADS, "reviewing_at"),
    (Status.REVIEWING, Status.CLOSED): Rule(
        frozenset({"admin", "commander"}), "closed_at", (_report_signed_off,)
    ),
    **{(state, Status.CANCELLED): Rule(LEADS, "cancelled_at", (_needs_reason,)) for state in OPEN},
}

# Side effects per target state, registered by the services modules.
AFTER: dict[str, list[Callable[[Incident, User | None], None]]] = {}


def after(state: str) -> Callable[[Callable[[Incident, User | None], None]], Callable[..., None]]:
    def register(fn: Callable[[Incident, User | None], None]) -> Callable[..., None]:
        AFTER.setdefault(state, []).append(fn)
        return fn

    return register


class ReportEffect(Protocol):
    def __call__(
        self, incident: Incident, reporter: User | None, *, escalation_policy: int | None
    ) -> None: ...


# Effects of a new report, run by report_incident in its transaction. No transition leads to
# `reported`, so they are not in AFTER, and unlike a state's effects they are told what the
# report asked for: the id of the escalation policy to page through (a monitoring routing
# rule's), None for the default.
ON_REPORT: list[ReportEffect] = []


def on_report(fn: ReportEffect) -> ReportEffect:
    ON_REPORT.append(fn)
    return fn


def allowed_transitions(incident: Incident, actor: User) -> list[str]:
    """Target states `actor` may move `incident` to now (guards not evaluated)."""
    kinds = actor_kinds(actor, incident)
    return [
        to for (frm, to), rule in TRANSITIONS.items() if frm == incident.status and kinds & rule.who
    ]


def transition(incident: Incident, to: str, *, actor: User | None, reason: str = "") -> Incident:
    """Move `incident` to state `to`, the only way its status ever changes.

    Locks the incident row, checks the move is in the table and that the actor may make it
    (actor=None is warroom itself, e.g. an automatic resolution), runs the rule's guards,
    stamps the phase time, appends a timeline entry and runs the state's side effects in the
    same transaction. Raises TransitionError (not possible now) or TransitionDenied (not allowed).
    """
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        rule = TRANSITIONS.get((locked.status, to))
        if rule is None:
            raise TransitionError(
                _("cannot go from %(from)s to %(to)s")
                % {"from": locked.get_status_display(), "to": Status(to).label}
            )
        if actor is not None and not actor_kinds(actor, locked) & rule.who:
            raise TransitionDenied(
                _("your role on this incident does not allow moving it to %(to)s")
                % {"to": Status(to).label}
            )
        for guard in rule.guards:
            guard(locked, actor, reason)
        previous = locked.status
        locked.status = to
        fields = ["status", "updated_at"]
        if rule.stamp:
            setattr(locked, rule.stamp, timezone.now())
            fields.append(rule.stamp)
        if to == Status.CANCELLED:
            locked.cancel_reason = reason
            fields.append("cancel_reason")
        locked.save(update_fields=fields)
        append_event(
            locked, "status", actor=actor, data={"from": previous, "to": to, "reason": reason}
        )
        # Effects write their rows (deliveries, tasks) in this same transaction; anything that
        # acts outside the database is queued by them with transaction.on_commit.
        for effect in AFTER.get(to, []):
            effect(locked, actor)
    incident.refresh_from_db()
    return incident
