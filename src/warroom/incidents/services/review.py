"""§4.5–4.6: resolving, the post-incident report draft, review, closing and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.incidents.models import ActionItem, Incident, Report, Status
from warroom.incidents.models.review import ActionStatus
from warroom.incidents.services.common import plan_for, require
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import LEADS, after, transition
from warroom.lib.errors import DomainError
from warroom.plan.models import PlanRevision


class Unset:
    """The value of an argument that was not given (None means "clear it")."""


UNSET = Unset()

MILESTONES = (
    ("acknowledge", "due_acknowledge", "acknowledged_at"),
    ("assess", "due_assess", "assessed_at"),
    ("mitigate", "due_mitigate", "recovering_at"),
    ("resolve", "due_resolve", "resolved_at"),
)


def resolve_incident(incident: Incident, *, actor: User, override_reason: str = "") -> Incident:
    """Resolve once the recovery checklist is signed; the commander may override with a reason,
    which is recorded. The report draft is generated from the timeline."""
    with transaction.atomic():
        if override_reason.strip():
            require(
                actor,
                incident,
                {"admin", "commander"},
                _("resolve with an open recovery checklist"),
            )
            Incident.objects.filter(pk=incident.pk).update(resolve_override=override_reason.strip())
            append_event(
                incident, "resolve_override", actor=actor, data={"reason": override_reason.strip()}
            )
        return transition(incident, Status.RESOLVED, actor=actor)


def timings(incident: Incident) -> list[dict[str, Any]]:
    """Each plan target: when it was due, when it was reached, minutes taken, met or missed."""
    rows = []
    for name, due_field, done_field in MILESTONES:
        due: dt.datetime | None = getattr(incident, due_field)
        done: dt.datetime | None = getattr(incident, done_field)
        rows.append(
            {
                "target": name,
                "due": due.isoformat() if due else None,
                "reached": done.isoformat() if done else None,
                "minutes": round((done - incident.reported_at).total_seconds() / 60, 1)
                if done
                else None,
                "met": (done <= due) if (done and due) else None,
            }
        )
    return rows


@after(Status.RESOLVED)
def draft_report(incident: Incident, actor: User | None) -> None:
    """The seed's three parts — what happened, what was done, lessons learned — drafted from the
    incident and its timeline, in WARROOM_REPORT_LANGUAGE (the seed's Chinese by default)."""
    plan = plan_for(incident)
    language = settings.WARROOM_REPORT_LANGUAGE
    with translation.override(language):
        happened = _draft_happened(incident, plan, language)
        done = _draft_done(incident)
        lessons = _draft_lessons(incident)
    Report.objects.update_or_create(
        incident=incident,
        defaults={
            "what_happened": happened,
            "what_was_done": done,
            "lessons": lessons,
            "impact": incident.scope,
            "timings": timings(incident),
        },
    )
    append_event(incident, "report_drafted", actor=None, data={})


def _fmt(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _draft_happened(incident: Incident, plan: Any, language: str) -> str:
    category = plan.category(incident.category)
    level = plan.level(incident.level)
    lines = [
        _("%(ref)s %(title)s, reported %(at)s.")
        % {"ref": incident.reference, "title": incident.title, "at": _fmt(incident.reported_at)},
        _("Risk category: %(cat)s; impact level: %(level)s.")
        % {
            "cat": category.name.get(language) if category else "—",
            "level": level.name.get(language) if level else "—",
        },
        _("Affected systems: %(systems)s.")
        % {"systems": ", ".join(incident.systems.values_list("name", flat=True)) or "—"},
    ]
    if incident.description:
        lines += ["", incident.description]
    if incident.scope:
        lines += ["", incident.scope]
    return "\n".join(lines)


def _draft_done(incident: Incident) -> str:
    lines = []
    for event in incident.timeline.select_related("actor").order_by("seq"):
        who = (
            event.actor.get_full_name() or event.actor.get_username() if event.actor else "warroom"
        )
        lines.append(f"- {_fmt(event.at)} {who}: {describe_event(event.kind, event.data)}")
    return "\n".join(lines)


def _draft_lessons(incident: Incident) -> str:
    missed = [row["target"] for row in timings(incident) if row["met"] is False]
    lines = []
    if missed:
        lines.append(
            _("Targets missed: %(targets)s. Why, and what would have made them?")
            % {"targets": ", ".join(missed)}
        )
    if incident.resolve_override:
        lines.append(
            _("Resolved with an open recovery checklist: %(reason)s")
            % {"reason": incident.resolve_override}
        )
    lines.append(_("What went well, what went badly, what to change in the plan:"))
    return "\n".join(lines)


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(
            str(_flat(item)) if not isinstance(item, list) else " ".join(map(str, item))
            for item in value
        )
    return value


def describe_event(kind: str, data: dict[str, Any]) -> str:
    """A one-line human description of a timeline entry (in the active language)."""
    if kind == "status":
        return _("state %(from)s → %(to)s") % {
            "from": _state_label(data.get("from")),
            "to": _state_label(data.get("to")),
        } + (f" ({data['reason']})" if data.get("reason") else "")
    texts = {
        "reported": _("reported: %(title)s"),
        "paged": _("emergency team notified: %(people)s"),
        "assessed": _("assessed: level %(level)s, category %(category)s"),
        "team": _("response team changed"),
        "order": _("order issued: %(text)s"),
        "order_acknowledged": _("order acknowledged"),
        "tasks_created": _("playbook tasks created"),
        "task": _("task %(task)s updated"),
        "check_item": _("checklist item of %(task)s: %(item)s"),
        "restore": _("restored %(system)s from backup %(backup)s (verified: %(verified)s)"),
        "leak_assessment": _("data leak assessed: %(data_kinds)s, %(records_affected)s records"),
        "legal_decision": _(
            "legal decision: tell authorities %(notify_authorities)s, users %(notify_users)s"
        ),
        "user_update": _("users told: %(text)s"),
        "resource_allocated": _("resource allocated: %(resource)s"),
        "resource_released": _("resource released: %(resource)s"),
        "outside_help": _("outside help requested from %(contact)s: %(asked)s"),
        "outside_help_outcome": _("outside help from %(contact)s: %(outcome)s"),
        "recovery_signed": _("recovery checklist signed: %(item)s"),
        "resolve_override": _("resolved with open checklist: %(reason)s"),
        "report_drafted": _("post-incident report drafted"),
        "report_edited": _("post-incident report edited"),
        "report_in_review": _("post-incident report submitted for review"),
        "report_approved": _("post-incident report approved"),
        "report_published": _("post-incident report published"),
        "report_reopened": _("post-incident report back in review after a change"),
        "report_rejected": _("post-incident report sent back to draft: %(reason)s"),
        "action_item": _("action item: %(title)s"),
        "alert": _("monitoring alert(s): %(titles)s"),
        "alerts_resolved": _("all monitoring alerts resolved"),
        "merged": _("merged in: %(from)s"),
        "paging_stopped": _("paging stopped (%(state)s)"),
        "paging_exhausted": _("paging gave up: nobody acknowledged"),
        "drill": _("opened by a drill inject"),
    }
    template = texts.get(kind)
    if template is None:
        return kind
    values = {k: _yes_no(v) if isinstance(v, bool) else _flat(v) for k, v in data.items()}
    if "state" in values:
        values["state"] = _state_label(values["state"])
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        # A stored entry lacking a value the text names: its heading alone (either colon).
        return template.replace("：", ":").split(":")[0]


def _state_label(value: Any) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def start_review(incident: Incident, *, actor: User) -> Incident:
    return transition(incident, Status.REVIEWING, actor=actor)


def close_incident(incident: Incident, *, actor: User) -> Incident:
    return transition(incident, Status.CLOSED, actor=actor)


def cancel_incident(
    incident: Incident, *, actor: User, reason: str, merged_into: Incident | None = None
) -> Incident:
    """A false alarm, or a duplicate merged into another open incident."""
    if merged_into is not None:
        if merged_into.pk == incident.pk:
            raise DomainError("merged_into", _("an incident cannot be merged into itself"))
        if not merged_into.is_open:
            raise DomainError("merged_into", _("merge only into an open incident"))
    with transaction.atomic():
        if merged_into is not None:
            Incident.objects.filter(pk=incident.pk).update(merged_into=merged_into)
            append_event(merged_into, "merged", actor=actor, data={"from": incident.reference})
        return transition(incident, Status.CANCELLED, actor=actor, reason=reason)


def add_action_item(
    incident: Incident,
    *,
    actor: User,
    title: str,
    owner: User | None = None,
    due_date: dt.date | None = None,
    plan_change: PlanRevision | None = None,
) -> ActionItem:
    """An action item of the review; `plan_change` is the plan revision it asks for."""
    require(actor, incident, LEADS, _("add action items"))
    if not title.strip():
        raise DomainError("title", _("required"))
    with transaction.atomic():
        item = ActionItem.objects.create(
            incident=incident,
            title=title.strip(),
            owner=owner,
            due_date=due_date,
            plan_change=plan_change,
        )
        append_event(
            incident,
            "action_item",
            actor=actor,
            data={"title": item.title, "owner": owner.get_username() if owner else None},
        )
    return item


def update_action_item(
    item: ActionItem,
    *,
    actor: User,
    owner: User | Unset | None = UNSET,
    due_date: dt.date | Unset | None = UNSET,
    plan_change: PlanRevision | Unset | None = UNSET,
) -> ActionItem:
    """Change an action item's owner, due date or plan change (the leads only). A new due
    date is reminded of again (the reminders are kept per due date)."""
    require(actor, item.incident, LEADS, _("change this action item"))
    changes: dict[str, Any] = {}
    if not isinstance(owner, Unset) and (owner.pk if owner else None) != item.owner_id:
        changes["owner"] = owner
    if not isinstance(due_date, Unset) and due_date != item.due_date:
        changes["due_date"] = due_date
    if (
        not isinstance(plan_change, Unset)
        and (plan_change.pk if plan_change else None) != item.plan_change_id
    ):
        changes["plan_change"] = plan_change
    if not changes:
        return item
    with transaction.atomic():
        for key, value in changes.items():
            setattr(item, key, value)
        item.save(update_fields=list(changes))
        data: dict[str, Any] = {"title": item.title}
        if "owner" in changes:
            data["owner"] = owner.get_username() if isinstance(owner, User) else None
        if "due_date" in changes:
            data["due_date"] = due_date.isoformat() if isinstance(due_date, dt.date) else None
        if "plan_change" in changes:
            data["plan_change"] = plan_change.pk if isinstance(plan_change, PlanRevision) else None
        append_event(item.incident, "action_item", actor=actor, data=data)
    return item


def set_action_status(item: ActionItem, *, actor: User, status: str) -> ActionItem:
    if status not in ActionStatus.values:
        raise DomainError(
            "status", _("must be one of %(values)s") % {"values": ", ".join(ActionStatus.values)}
        )
    if actor.pk != item.owner_id:
        require(actor, item.incident, LEADS, _("change this action item"))
    with transaction.atomic():
        item.status = status
        item.save(update_fields=["status"])
        append_event(
            item.incident, "action_item", actor=actor, data={"title": item.title, "status": status}
        )
    return item
