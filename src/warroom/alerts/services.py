"""Alerts to incidents (plan §4.1): record every alert, and page the team for the new ones.

`ingest` takes what one request brought and, in one transaction, before the sender is told
"accepted":

- upserts each alert by (integration, fingerprint): a repeat raises `count` and `last_seen`,
  a resolve closes the alert, a resolved alert that fires again starts a new episode;
- routes each newly firing alert (the first matching routing rule, else the integration's
  defaults) to a system, risk category, impact level and group;
- records it without paging anyone while a silence or a maintenance window covers it;
- else joins it to the open incident that already has a firing alert of its group seen
  within the group's window, or opens a new incident in `reported` (which pages the team);
- acknowledges the incident of a PagerDuty `acknowledge` event while it is still reported;
- with the integration's auto_resolve, cancels an incident whose alerts have all resolved
  while it is reported or acknowledged (later it only notes so on the timeline).

Locks: on PostgreSQL one integration's requests are ingested one at a time (an advisory
transaction lock), and opening-or-joining a group takes the group's advisory lock too, so
two requests never open two incidents for one group. SQLite's IMMEDIATE transactions already
serialize writers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from warroom.alerts.matchers import matches
from warroom.alerts.models import Alert, Integration, MaintenanceWindow, RoutingRule, Silence
from warroom.alerts.normalize import Incoming, clip
from warroom.alerts.queries import routing_setup
from warroom.catalog.models import System
from warroom.incidents.models import Incident, Status
from warroom.incidents.models.incident import OPEN_STATES
from warroom.incidents.services import report_incident
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import TransitionError, transition
from warroom.lib.rows import insert as rows_insert
from warroom.plan.queries import NoPlanError, current_plan
from warroom.plan.schema import Plan

FIRING, RESOLVED = Alert.Status.FIRING, Alert.Status.RESOLVED
# Stored as the cancel reason and on the timeline, like a reason a person types.
AUTO_RESOLVE_REASON = "all alerts resolved"
INCIDENT_TITLE_LIMIT = 200
TIMELINE_LIST_LIMIT = 20

# What a repeat changes; a new episode, a resolve or a late page changes everything below.
_REPEAT_FIELDS = [
    "count",
    "last_seen",
    "title",
    "severity",
    "labels",
    "annotations",
    "source",
    "last_payload",
]
_COUNT_FIELDS = ["count", "last_seen", "last_payload"]
_ALL_FIELDS = [
    *_REPEAT_FIELDS,
    "status",
    "first_seen",
    "resolved_at",
    "incident",
    "system",
    "category",
    "level",
    "group_key",
    "suppressed_by",
]


Suppressors = tuple[list[Silence], list[tuple[MaintenanceWindow, frozenset[int]]]]


@dataclass(frozen=True)
class Route:
    system: System | None
    category: str
    level: str
    group_by: tuple[str, ...]
    window: int  # minutes
    policy_id: int | None  # the escalation policy of an incident it opens; None: the default

    def group_key(self, labels: dict[str, str]) -> str:
        """Routed system and group_by label values; '' (no grouping) when neither is set."""
        if self.system is None and not self.group_by:
            return ""
        parts = [str(self.system.pk) if self.system else "-"]
        parts += [f"{name}={labels.get(name, '')}" for name in self.group_by]
        key = "|".join(parts)
        return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def ingest(
    integration: Integration, incoming: Sequence[Incoming], *, now: dt.datetime | None = None
) -> list[Alert]:
    """Record `incoming` (in order) and act on it as the module says; returns the alert row of
    each item. Raises NoPlanError when an incident must be opened but no plan is applied (the
    transaction is rolled back: nothing is half-recorded)."""
    with transaction.atomic():
        _advisory_locks([f"alerts:integration:{integration.pk}"])
        return _Batch(integration, now or timezone.now()).run(incoming)


class _Batch:
    """One call of `ingest`: the rows it touches and what it learned on the way (rules,
    silences, the plan), so that a webhook of 100 alerts costs a handful of queries."""

    def __init__(self, integration: Integration, now: dt.datetime) -> None:
        self.integration = integration
        self.now = now
        self._rules: list[RoutingRule] | None = None
        self._suppressors: Suppressors | None = None
        self._plan: Plan | None = None
        self._systems: dict[str, System | None] = {}
        # Group key → incident chosen in this batch; incident id → alerts attached to it now.
        self.groups: dict[str, Incident] = {}
        self.attached: dict[int, list[Alert]] = defaultdict(list)
        self.incidents: dict[int, Incident] = {}
        self.redescribed: set[int] = set()  # id(alert) of repeats whose description changed
        # Incidents opened by this batch: their rows are ours until the commit.
        self.opened: set[int] = set()

    def run(self, items: Sequence[Incoming]) -> list[Alert]:
        # last_payload is replaced on every write of an existing row and never read here, so
        # it is not loaded: it is the largest JSON of the row.
        rows = {
            a.fingerprint: a
            for a in Alert.objects.filter(
                integration=self.integration, fingerprint__in={i.fingerprint for i in items}
            )
            .defer("last_payload")
            .order_by()
        }
        created: list[Alert] = []
        repeated: dict[int, Alert] = {}
        changed: dict[int, Alert] = {}
        fresh: dict[int, tuple[Alert, Incoming]] = {}  # id(alert) → to route and page
        acknowledged: list[Alert] = []
        closed_incidents: set[int] = set()
        result: list[Alert] = []
        for item in items:
            alert = rows.get(item.fingerprint)
            if item.action == "acknowledge":
                # An acknowledge for an alert never seen acts on nothing, as in PagerDuty.
                if alert is not None:
                    acknowledged.append(alert)
                    result.append(alert)
                continue
            if alert is None:
                alert = self._new(item)
                rows[item.fingerprint] = alert
                created.append(alert)
                if item.action == "trigger":
                    fresh[id(alert)] = (alert, item)
            elif item.action == "trigger":
                self._seen_again(alert, item)
                if alert.status == RESOLVED:
                    self._new_episode(alert)
                    fresh[id(alert)] = (alert, item)
                elif alert.incident_id is None and alert.suppressed_by:
                    # Still firing after its silence or maintenance ended: page now.
                    fresh[id(alert)] = (alert, item)
                if alert.pk:
                    (changed if id(alert) in fresh else repeated)[alert.pk] = alert
            else:
                self._seen_again(alert, item, count=False)
                if alert.status == FIRING:
                    alert.status, alert.resolved_at = RESOLVED, self.now
                    if alert.incident_id:
                        closed_incidents.add(alert.incident_id)
                if alert.pk:
                    changed[alert.pk] = alert
            result.append(alert)
        self._place([pair for pair in fresh.values() if pair[0].status == FIRING])
        for pk in changed:
            repeated.pop(pk, None)
        # Not bulk_create: its compiler costs more per row than the database (lib.rows).
        rows_insert(created, match="fingerprint")
        # Most repeats describe the alert as before: write only what a repeat always changes.
        plain = [a for a in repeated.values() if id(a) not in self.redescribed]
        _save_rows(plain, _COUNT_FIELDS)
        _save_rows([a for a in repeated.values() if id(a) in self.redescribed], _REPEAT_FIELDS)
        _save_rows(list(changed.values()), _ALL_FIELDS)
        self._write_timelines()
        for alert in acknowledged:
            self._acknowledge(alert)
        if self.integration.auto_resolve:
            for incident_id in sorted(closed_incidents):
                self._after_all_resolved(incident_id)
        return result

    # Rows --------------------------------------------------------------------------------

    def _new(self, item: Incoming) -> Alert:
        resolved = item.action == "resolve"
        return Alert(
            integration=self.integration,
            fingerprint=item.fingerprint,
            status=RESOLVED if resolved else FIRING,
            title=item.title,
            severity=item.severity,
            labels=item.labels,
            annotations=item.annotations,
            source=item.source,
            count=1,
            first_seen=self.now,
            last_seen=self.now,
            resolved_at=self.now if resolved else None,
            last_payload=item.payload,
        )

    def _seen_again(self, alert: Alert, item: Incoming, *, count: bool = True) -> None:
        if count:
            alert.count += 1
        alert.last_seen = self.now
        alert.last_payload = item.payload
        if item.action == "trigger" or not alert.title:
            described = (item.title, item.severity, item.labels, item.annotations, item.source)
            if described != (
                alert.title,
                alert.severity,
                alert.labels,
                alert.annotations,
                alert.source,
            ):
                self.redescribed.add(id(alert))
                alert.title, alert.severity = item.title, item.severity
                alert.labels, alert.annotations, alert.source = (
                    item.labels,
                    item.annotations,
                    item.source,
                )

    def _new_episode(self, alert: Alert) -> None:
        alert.status, alert.resolved_at = FIRING, None
        alert.first_seen = self.now
        alert.incident = None
        alert.suppressed_by = ""

    # Routing, suppression, grouping -----------------------------------------------------------

    def _place(self, fresh: list[tuple[Alert, Incoming]]) -> None:
        routes = []
        for alert, item in fresh:
            route = self._route(alert, item)
            alert.system, alert.category, alert.level = route.system, route.category, route.level
            alert.group_key = route.group_key(alert.labels)
            alert.suppressed_by = self._suppressor(alert)
            if not alert.suppressed_by:
                routes.append((alert, item, route))
        _advisory_locks(
            sorted({f"alerts:group:{a.group_key}" for a, _, _ in routes if a.group_key})
        )
        for alert, item, route in routes:
            incident = self._group_incident(alert.group_key, route.window)
            if incident is None:
                incident = self._open_incident(alert, item, route)
                self.opened.add(incident.pk)
                if alert.group_key:
                    self.groups[alert.group_key] = incident
            alert.incident = incident
            self.incidents[incident.pk] = incident
            self.attached[incident.pk].append(alert)

    def _route(self, alert: Alert, item: Incoming) -> Route:
        rule = next(
            (
                r
                for r in self._routing_rules()
                if r.integration_id in (None, self.integration.pk)
                and matches(r.matchers, alert.labels)
            ),
            None,
        )
        default = self.integration
        system = rule.system if rule and rule.system_id else default.default_system
        category = (rule.category if rule else "") or default.default_category
        level = (rule.level if rule else "") or default.default_level
        group_by = tuple(rule.group_by) if rule else tuple(default.default_group_by)
        window = rule.group_window if rule else default.default_group_window
        rule_policy = rule.escalation_policy_id if rule else None
        policy_id = rule_policy or default.default_escalation_policy_id
        # A generic integration's templates name the system and category per payload.
        if item.system:
            system = self._system_named(item.system) or system
        if item.category:
            category = item.category
        # Codes the plan does not know (a rule written for an older plan, a template's output)
        # are dropped rather than refusing the alert.
        plan = self._current_plan() if category or level else None
        if category and (plan is None or plan.category(category) is None):
            known = plan is not None and plan.category(default.default_category) is not None
            category = default.default_category if known else ""
        if level and (plan is None or plan.level(level) is None):
            level = ""
        return Route(
            system, category, level, tuple(str(g) for g in group_by), int(window), policy_id
        )

    def _suppressor(self, alert: Alert) -> str:
        silences, windows = self._active_suppressors()
        for silence in silences:
            if silence.matchers and matches(silence.matchers, alert.labels):
                return f"silence:{silence.pk}"
        for window, system_ids in windows:
            if (alert.system_id is not None and alert.system_id in system_ids) or (
                window.matchers and matches(window.matchers, alert.labels)
            ):
                return f"maintenance:{window.pk}"
        return ""

    def _group_incident(self, key: str, window: int) -> Incident | None:
        if not key:
            return None
        if key in self.groups:
            return self.groups[key]
        # The id first: most lookups find nothing (a new group), and reading the incident's
        # row along with every alert column would cost more than the query itself.
        incident_id = (
            Alert.objects.filter(
                group_key=key,
                status=FIRING,
                first_seen__gte=self.now - dt.timedelta(minutes=window),
                incident__status__in=OPEN_STATES,
                # A drill's alerts join only drill incidents, a real alert only real ones.
                incident__is_drill=self.integration.drill,
            )
            .order_by("-first_seen", "-id")
            .values_list("incident_id", flat=True)
            .first()
        )
        if incident_id is None:
            return None
        incident = self.groups[key] = Incident.objects.get(pk=incident_id)
        return incident

    def _open_incident(self, alert: Alert, item: Incoming, route: Route) -> Incident:
        return report_incident(
            reporter=None,
            title=clip(alert.title, INCIDENT_TITLE_LIMIT),
            description=describe(alert),
            noticed_at=item.started_at,
            systems=[route.system] if route.system else [],
            category=route.category,
            level=route.level,
            source=f"alert:{self.integration.kind}",
            drill=self.integration.drill,
            escalation_policy=route.policy_id,
        )

    # After the rows are written ------------------------------------------------------------------

    def _write_timelines(self) -> None:
        # One entry per incident and request, listing the alerts it received: a webhook of a
        # hundred alerts of one group adds one line, not a hundred.
        for incident_id, alerts in self.attached.items():
            append_event(
                self.incidents[incident_id],
                "alert",
                actor=None,
                data={
                    "integration": self.integration.name,
                    "count": len(alerts),
                    "titles": sorted({a.title for a in alerts})[:TIMELINE_LIST_LIMIT],
                    "alert_ids": [a.pk for a in alerts][:TIMELINE_LIST_LIMIT],
                },
                # An incident opened here went through report_incident and its first page
                # as this same object: its head is current.
                locked=incident_id in self.opened,
            )

    def _acknowledge(self, alert: Alert) -> None:
        if alert.incident_id is None:
            return
        incident = Incident.objects.get(pk=alert.incident_id)
        if incident.status != Status.REPORTED:
            return
        # TransitionError: someone acknowledged (or moved it on) a moment ago; nothing to do.
        with contextlib.suppress(TransitionError):
            transition(
                incident,
                Status.ACKNOWLEDGED,
                actor=None,
                reason=f"acknowledge event from {self.integration.name}",
            )

    def _after_all_resolved(self, incident_id: int) -> None:
        if Alert.objects.filter(incident_id=incident_id, status=FIRING).exists():
            return
        incident = Incident.objects.get(pk=incident_id)
        if incident.status in (Status.REPORTED, Status.ACKNOWLEDGED):
            # Cancelled, not resolved: nobody has assessed it, and `resolved` means the plan's
            # recovery was done. transition() with actor=None is warroom acting by itself;
            # incidents.services.cancel_incident wants a person as actor.
            with contextlib.suppress(TransitionError):
                transition(incident, Status.CANCELLED, actor=None, reason=AUTO_RESOLVE_REASON)
        elif incident.status in OPEN_STATES:
            append_event(
                incident,
                "alerts_resolved",
                actor=None,
                data={"integration": self.integration.name, "reason": AUTO_RESOLVE_REASON},
            )

    # Cached reads ---------------------------------------------------------------------------------

    def _routing_rules(self) -> list[RoutingRule]:
        if self._rules is None:
            self._rules = routing_setup().rules
        return self._rules

    def _active_suppressors(self) -> Suppressors:
        if self._suppressors is None:
            self._suppressors = routing_setup().suppressors(self.now)
        return self._suppressors

    def _current_plan(self) -> Plan | None:
        """The plan in force, None when none is applied yet (then opening an incident raises
        NoPlanError, but alerts that page nobody are still recorded)."""
        if self._plan is None:
            try:
                self._plan = current_plan()
            except NoPlanError:
                return None
        return self._plan

    def _system_named(self, name: str) -> System | None:
        if name not in self._systems:
            self._systems[name] = System.objects.filter(name=name).first()
        return self._systems[name]


def describe(alert: Alert) -> str:
    """The incident's description from the alert: its description annotation, the other
    annotations, the labels and where it came from."""
    annotations = dict(alert.annotations)
    lines = []
    if annotations.get("description"):
        lines += [annotations.pop("description"), ""]
    annotations.pop("summary", None)
    lines += [f"{name}: {value}" for name, value in sorted(annotations.items())]
    if alert.labels:
        lines.append(", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())))
    if alert.source:
        lines.append(alert.source)
    return clip("\n".join(lines), 10_000)


def _save_rows(alerts: list[Alert], names: list[str]) -> None:
    """Write the fields `names` of existing alerts with one prepared UPDATE run per row.

    Repeats are the hot path (a firing alert is re-sent with every group notification, a
    PagerDuty trigger with a dedup_key may come every few seconds); bulk_update would build a
    CASE expression per field and row, which costs more than the database work itself. Values
    are prepared by each field, so JSON and times are stored as the ORM stores them.
    """
    if not alerts:
        return
    fields = []
    for name in names:
        field = Alert._meta.get_field(name)
        assert isinstance(field, models.Field)
        fields.append(field)
    # The connection itself, not the `connection` proxy: every attribute read through the
    # proxy is a context-local lookup, and preparing a row reads it several times per field.
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(Alert._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [f.get_db_prep_save(getattr(alert, f.attname), db) for f in fields] + [alert.pk]
        for alert in alerts
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def _advisory_locks(keys: Iterable[str]) -> None:
    """Hold PostgreSQL advisory locks on `keys` until the transaction ends (taken in sorted
    order by every caller, so two callers never wait for each other in a circle)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
