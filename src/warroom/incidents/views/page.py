"""Everything the incident page shows, read lazily: a section answered to htmx reads only what
its own template uses, and the whole page reads each thing once. What the viewer is offered is
in rights.py, the page's forms in page_forms.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warroom.catalog.models import System
from warroom.catalog.queries import dependents_of
from warroom.core.web import ui_language
from warroom.incidents import queries
from warroom.incidents.models import (
    ActionItem,
    CheckItem,
    Incident,
    LeakAssessment,
    Order,
    Participant,
    RecoveryItem,
    Report,
    Status,
    Task,
    TimelineEvent,
)
from warroom.incidents.models.incident import OPEN_STATES
from warroom.incidents.models.response import TaskStatus
from warroom.incidents.models.review import ActionStatus
from warroom.incidents.roles import actor_kinds
from warroom.incidents.services import propose_team
from warroom.incidents.services.report import SIGNED_OFF
from warroom.incidents.services.review import describe_event
from warroom.incidents.transitions import LEADS, allowed_transitions
from warroom.incidents.views.page_forms import PageForms
from warroom.incidents.views.rights import Rights, rights_of
from warroom.people.forms import display_name, people
from warroom.plan.queries import plan_of
from warroom.plan.schema import Plan

DEADLINE_LABELS = {
    "acknowledge": _("Acknowledge"),
    "assess": _("Assess"),
    "mitigate": _("Mitigate"),
    "resolve": _("Resolve"),
    "user_update": _("Next user update"),
}
# Participant roles that are not roles of the plan's team.
EXTRA_ROLES = {"reporter": _("reporter"), "responder": _("responder")}


@dataclass(frozen=True)
class DeadlineRow:
    name: str
    label: str
    due: dt.datetime | None
    reached: dt.datetime | None
    pending: bool
    missed: bool
    seconds_left: int | None


@dataclass(frozen=True)
class OrderRow:
    order: Order
    to: str
    can_acknowledge: bool


@dataclass(frozen=True)
class TaskRow:
    task: Task
    overdue: bool
    checklist: list[CheckItem]


@dataclass(frozen=True)
class TaskGroup:
    department: str
    tasks: list[TaskRow]


@dataclass(frozen=True)
class ActionRow:
    item: ActionItem
    can_change: bool


@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    actor: str
    text: str
    kind: str


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class IncidentPage:
    def __init__(
        self, request: HttpRequest, incident: Incident, user: User, seen: str = ""
    ) -> None:
        self.request = request
        self.incident = incident
        self.user = user
        self.lang = ui_language()
        # The state the viewer's page was built for: a poll that finds another state says so.
        self.seen = seen or incident.status
        self.forms = PageForms(self)
        # A one-line outcome shown inside the section an htmx action answered with.
        self.flashes: dict[str, tuple[str, str]] = {}

    def flash(self, section: str, level: str, text: str) -> None:
        self.flashes[section] = (level, text)

    def bind(self, name: str, form: forms.BaseForm) -> None:
        """Show `form` (posted, with its errors) instead of a blank one."""
        self.forms.bound[name] = form

    # Who the viewer is on this incident

    @cached_property
    def kinds(self) -> set[str]:
        return actor_kinds(self.user, self.incident)

    @cached_property
    def can(self) -> Rights:
        # The transition table's own answer, so the buttons follow any change of the table.
        allowed = allowed_transitions(self.incident, self.user)
        return rights_of(self.incident, self.kinds, allowed)

    @property
    def state_changed(self) -> bool:
        return self.seen != self.incident.status

    @property
    def needs_assessment(self) -> bool:
        return self.incident.status in (Status.REPORTED, Status.ACKNOWLEDGED)

    # The plan's words

    @cached_property
    def plan(self) -> Plan:
        return plan_of(self.incident.plan_version)

    @property
    def level_name(self) -> str:
        level = self.plan.level(self.incident.level) if self.incident.level else None
        return level.name.get(self.lang) if level else self.incident.level

    @property
    def category_name(self) -> str:
        category = self.plan.category(self.incident.category) if self.incident.category else None
        return category.name.get(self.lang) if category else self.incident.category

    @cached_property
    def role_names(self) -> dict[str, str]:
        names: dict[str, str] = {k: str(v) for k, v in EXTRA_ROLES.items()}
        names.update({r.code: r.name.get(self.lang) for r in self.plan.team.roles})
        return names

    @cached_property
    def role_choices(self) -> list[tuple[str, str]]:
        return [(r.code, r.name.get(self.lang)) for r in self.plan.team.roles]

    @cached_property
    def department_names(self) -> dict[str, str]:
        return {d.code: d.name.get(self.lang) for d in self.plan.departments}

    # The header

    @cached_property
    def deadlines(self) -> list[DeadlineRow]:
        return [
            DeadlineRow(
                d.name,
                str(DEADLINE_LABELS.get(d.name, d.name)),
                d.due,
                d.reached,
                d.pending,
                d.missed,
                d.seconds_left,
            )
            for d in queries.deadlines(self.incident)
            if d.due is not None
        ]

    # Systems

    @cached_property
    def systems(self) -> list[System]:
        return list(self.incident.systems.order_by("name"))

    @cached_property
    def also_at_risk(self) -> list[System]:
        ids = dependents_of(s.pk for s in self.systems)
        return list(System.objects.filter(pk__in=ids).order_by("name")) if ids else []

    # The team

    @cached_property
    def participants(self) -> list[Participant]:
        return list(self.incident.participants.select_related("user"))

    @cached_property
    def my_roles(self) -> set[str]:
        return {p.role for p in self.participants if p.user_id == self.user.pk}

    @cached_property
    def team_choices(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(choices, ticked) of the team form: the plan's proposal and the current team. Until
        a lead has named the team once, the proposal is ticked on top of who was paged."""
        plan_roles = dict(self.role_choices)
        named = self.incident.timeline.filter(kind="team").exists()
        choices: dict[str, str] = {}
        ticked: list[str] = []
        # Participants in roles the plan does not know (the reporter, a "responder" named by
        # an order) are not offered: set_team takes plan roles only.
        for p in self.participants:
            if p.role in plan_roles:
                value = f"{p.user_id}:{p.role}"
                choices[value] = f"{plan_roles[p.role]} — {display_name(p.user)}"
                ticked.append(value)
        for proposal in propose_team(self.incident):
            value = f"{proposal.person.pk}:{proposal.role}"
            if value not in choices:
                label = f"{self.role_names.get(proposal.role, proposal.role)} — "
                label += display_name(proposal.person)
                if proposal.backup:
                    label += " " + str(
                        _("(backup: %(name)s)") % {"name": display_name(proposal.backup)}
                    )
                choices[value] = label + " " + str(_("(proposed by the plan)"))
                if not named:
                    ticked.append(value)
        return list(choices.items()), ticked

    # Orders

    @cached_property
    def orders(self) -> list[OrderRow]:
        rows = []
        for order in self.incident.orders.select_related(
            "to_person", "issued_by", "acknowledged_by"
        ):
            to = (
                display_name(order.to_person)
                if order.to_person
                else self.role_names.get(order.to_role, order.to_role)
            )
            mine = order.to_person_id == self.user.pk or (
                order.to_person_id is None and order.to_role in self.my_roles
            )
            rows.append(OrderRow(order, to, mine and order.acknowledged_at is None))
        return rows

    # Tasks

    @cached_property
    def task_groups(self) -> list[TaskGroup]:
        tasks = self.incident.tasks.select_related("assignee").prefetch_related(
            Prefetch("checklist", CheckItem.objects.select_related("done_by"))
        )
        now = timezone.now()
        finished = (TaskStatus.DONE, TaskStatus.SKIPPED)
        groups: dict[str, list[TaskRow]] = {}
        for task in tasks:
            overdue = task.due_at is not None and task.due_at < now and task.status not in finished
            groups.setdefault(task.department, []).append(
                TaskRow(task, overdue, list(task.checklist.all()))
            )
        order = list(self.department_names)
        codes = sorted(groups, key=lambda c: order.index(c) if c in order else len(order))
        return [TaskGroup(self.department_names.get(c, c), groups[c]) for c in codes]

    @cached_property
    def people(self) -> list[User]:
        return list(people())

    @property
    def task_statuses(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in TaskStatus.choices]

    # Records

    @cached_property
    def restores(self) -> list[Any]:
        return list(self.incident.restores.select_related("system", "recorded_by"))

    @cached_property
    def leak(self) -> LeakAssessment | None:
        return (
            LeakAssessment.objects.filter(incident=self.incident)
            .select_related("assessed_by", "decided_by")
            .first()
        )

    @property
    def show_leak(self) -> bool:
        """The leak forms belong to restricted incidents (the plan's data-leak and attack
        categories) or to one that already has an assessment."""
        return self.incident.restricted or self.leak is not None

    @cached_property
    def user_updates(self) -> list[Any]:
        return list(self.incident.user_updates.select_related("posted_by"))

    # Logistics

    @cached_property
    def allocations(self) -> list[Any]:
        return list(self.incident.allocations.select_related("resource", "allocated_by"))

    @cached_property
    def outside_help(self) -> list[Any]:
        return list(self.incident.outside_help.select_related("contact", "requested_by"))

    # Recovery

    @cached_property
    def recovery_items(self) -> list[RecoveryItem]:
        return list(self.incident.recovery_items.select_related("system", "signed_by"))

    @property
    def recovery_open(self) -> int:
        return sum(1 for item in self.recovery_items if item.signed_at is None)

    # The review

    @cached_property
    def report(self) -> Report | None:
        return (
            Report.objects.filter(incident=self.incident)
            .select_related("updated_by", "approved_by")
            .first()
        )

    @cached_property
    def report_rejection(self) -> TimelineEvent | None:
        """Why the commander sent the report back to draft, while it is a draft since: the
        newest review entry of the timeline, if it is a rejection."""
        report = self.report
        if report is None or report.state != "draft":
            return None
        last = (
            self.incident.timeline.filter(kind__in=("report_in_review", "report_rejected"))
            .select_related("actor")
            .order_by("-seq")
            .first()
        )
        return last if last is not None and last.kind == "report_rejected" else None

    @property
    def close_waits_for_report(self) -> bool:
        """Closing is the viewer's step but the report is not approved yet: the page says so
        beside the button (the transition's guard refuses it anyway)."""
        if not self.can.close or self.incident.is_drill:
            return False
        return self.report is None or self.report.state not in SIGNED_OFF

    @cached_property
    def report_timings(self) -> list[dict[str, Any]]:
        """The draft's row per plan target, its times read back from the stored ISO text."""
        report = self.report
        if report is None:
            return []
        return [
            {
                "label": str(DEADLINE_LABELS.get(row["target"], row["target"])),
                "due": _when(row.get("due")),
                "reached": _when(row.get("reached")),
                "minutes": row.get("minutes"),
                "met": row.get("met"),
            }
            for row in report.timings
        ]

    @cached_property
    def action_items(self) -> list[ActionRow]:
        lead = bool(self.kinds & LEADS)
        return [
            ActionRow(item, lead or item.owner_id == self.user.pk)
            for item in self.incident.action_items.select_related("owner", "plan_change")
        ]

    @property
    def action_statuses(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in ActionStatus.choices]

    # The timeline

    @cached_property
    def timeline(self) -> list[TimelineRow]:
        events = self.incident.timeline.select_related("actor").order_by("-seq")
        return [
            TimelineRow(
                e.at,
                display_name(e.actor) if e.actor else "warroom",
                describe_event(e.kind, e.data),
                e.kind,
            )
            for e in events
        ]

    # Forms

    def other_open_incidents(self) -> QuerySet[Incident]:
        return (
            queries.visible_incidents(self.user)
            .filter(status__in=OPEN_STATES)
            .exclude(pk=self.incident.pk)
        )
