"""Reads of the status page: what the outside world may know, and nothing more.

The rules live here, once, for the page, the feed, the export and the API:
- an incident appears only once it has a public update, and never when it is a drill;
- a restricted incident shows its public updates under a neutral label, and nothing else:
  no title, no components, no effect on the components' states;
- a component's state is the worst of what its systems suffer from: the open public
  incidents (by impact level) and the maintenance windows in progress.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from warroom.alerts.models import MaintenanceWindow
from warroom.comms.models import PublicUpdate, StatusComponent, UpdateStatus
from warroom.incidents.models import Incident
from warroom.incidents.models.incident import OPEN_STATES
from warroom.plan.queries import plan_of

HISTORY_DAYS = 90
FEED_ENTRIES = 50

# From best to worst; a component shows the worst that applies.
OPERATIONAL = "operational"
MAINTENANCE = "maintenance"
DEGRADED = "degraded"
PARTIAL_OUTAGE = "partial_outage"
MAJOR_OUTAGE = "major_outage"
STATES = (OPERATIONAL, MAINTENANCE, DEGRADED, PARTIAL_OUTAGE, MAJOR_OUTAGE)
STATE_LABELS: dict[str, Promise] = {
    OPERATIONAL: _("Operational"),
    MAINTENANCE: _("Under maintenance"),
    DEGRADED: _("Degraded performance"),
    PARTIAL_OUTAGE: _("Partial outage"),
    MAJOR_OUTAGE: _("Major outage"),
}
# The plan's most severe impact level is a major outage, the next a partial one, the rest
# (and an incident not yet assessed) degraded performance.
STATE_BY_SEVERITY = (MAJOR_OUTAGE, PARTIAL_OUTAGE)


def worst(states: list[str]) -> str:
    return max(states, key=STATES.index, default=OPERATIONAL)


def public_label(incident: Incident) -> str | Promise:
    """What the status page calls an incident: its title, or for a restricted one a neutral
    label that tells nothing about it."""
    return _("Service incident") if incident.restricted else incident.title


def incident_state(incident: Incident) -> str:
    """The component state an incident's impact level stands for."""
    plan = plan_of(incident.plan_version)
    levels = [lvl.code for lvl in sorted(plan.impact_levels, key=lambda lvl: lvl.rank)]
    if incident.level in levels:
        position = levels.index(incident.level)
        if position < len(STATE_BY_SEVERITY):
            return STATE_BY_SEVERITY[position]
    return DEGRADED


def public_incidents() -> QuerySet[Incident]:
    """Incidents the outside world may know of: not drills, with at least one public update."""
    return Incident.objects.filter(
        is_drill=False, pk__in=PublicUpdate.objects.values("incident_id")
    )


@dataclass
class ComponentRow:
    component: StatusComponent
    state: str

    @property
    def label(self) -> Promise:
        return STATE_LABELS[self.state]


@dataclass
class PublicIncident:
    incident_id: int
    label: str | Promise
    restricted: bool
    # Newest first.
    updates: list[PublicUpdate]
    state: str | None  # None for a restricted incident: it changes no component
    components: list[StatusComponent] = field(default_factory=list)

    @property
    def latest(self) -> PublicUpdate:
        return self.updates[0]

    @property
    def eta(self) -> dt.datetime | None:
        """The expected resolution time of the newest update that gives one."""
        return next((u.eta for u in self.updates if u.eta is not None), None)

    @property
    def started_at(self) -> dt.datetime:
        return self.updates[-1].posted_at


@dataclass
class MaintenanceRow:
    window: MaintenanceWindow
    components: list[StatusComponent]
    active: bool


@dataclass
class HistoryIncident:
    incident_id: int
    label: str | Promise
    updates: list[PublicUpdate]  # of that day, newest first


@dataclass
class HistoryDay:
    day: dt.date
    incidents: list[HistoryIncident]


@dataclass
class StatusOverview:
    at: dt.datetime
    components: list[ComponentRow]
    incidents: list[PublicIncident]
    maintenance: list[MaintenanceRow]
    history: list[HistoryDay]
    history_since: dt.date

    @property
    def state(self) -> str:
        """The page's headline: the worst component, and at least 'degraded' while any
        incident is active (a restricted incident changes no component, but it is real)."""
        states = [row.state for row in self.components]
        if self.incidents:
            states.append(DEGRADED)
        return worst(states)

    @property
    def state_label(self) -> Promise:
        return {
            OPERATIONAL: _("All systems operational"),
            MAINTENANCE: _("Maintenance in progress"),
            DEGRADED: _("Some services are affected"),
            PARTIAL_OUTAGE: _("Partial outage"),
            MAJOR_OUTAGE: _("Major outage"),
        }[self.state]


def _active_public_incidents(components: list[StatusComponent]) -> list[PublicIncident]:
    newest_first = PublicUpdate.objects.order_by("-posted_at", "-id")
    rows = (
        public_incidents()
        .filter(status__in=OPEN_STATES)
        .select_related("plan_version")
        .prefetch_related(Prefetch("public_updates", newest_first), "systems")
        .order_by("-reported_at")
    )
    result = []
    for incident in rows:
        updates = list(incident.public_updates.all())
        # Customer service may call it resolved for the users while the team still recovers.
        if not updates or updates[0].status == UpdateStatus.RESOLVED:
            continue
        if incident.restricted:
            result.append(PublicIncident(incident.pk, public_label(incident), True, updates, None))
            continue
        systems = {s.pk for s in incident.systems.all()}
        touched = [c for c in components if systems & {s.pk for s in c.systems.all()}]
        result.append(
            PublicIncident(
                incident.pk, incident.title, False, updates, incident_state(incident), touched
            )
        )
    return result


def _maintenance(components: list[StatusComponent], now: dt.datetime) -> list[MaintenanceRow]:
    windows = (
        MaintenanceWindow.objects.filter(ends_at__gt=now)
        .prefetch_related("systems")
        .order_by("starts_at", "id")
    )
    rows = []
    for window in windows:
        systems = {s.pk for s in window.systems.all()}
        touched = [c for c in components if systems & {s.pk for s in c.systems.all()}]
        # A window of matchers only silences alerts; it is not maintenance users notice.
        if touched:
            rows.append(MaintenanceRow(window, touched, window.starts_at <= now))
    return rows


def _history(now: dt.datetime) -> tuple[list[HistoryDay], dt.date]:
    since = timezone.localdate(now) - dt.timedelta(days=HISTORY_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    updates = (
        PublicUpdate.objects.filter(posted_at__gte=start, incident__is_drill=False)
        .select_related("incident")
        .order_by("-posted_at", "-id")
    )
    days: dict[dt.date, dict[int, HistoryIncident]] = defaultdict(dict)
    for update in updates:
        incident = update.incident
        entries = days[timezone.localdate(update.posted_at)]
        if incident.pk not in entries:
            entries[incident.pk] = HistoryIncident(incident.pk, public_label(incident), [])
        entries[incident.pk].updates.append(update)
    history = [HistoryDay(day, list(entries.values())) for day, entries in days.items()]
    return history, since


def status_overview(now: dt.datetime | None = None) -> StatusOverview:
    """Everything the public status page shows, in a fixed number of queries."""
    now = now or timezone.now()
    components = list(StatusComponent.objects.filter(visible=True).prefetch_related("systems"))
    incidents = _active_public_incidents(components)
    maintenance = _maintenance(components, now)
    rows = []
    for component in components:
        states = [i.state for i in incidents if i.state and component in i.components]
        if any(component in m.components for m in maintenance if m.active):
            states.append(MAINTENANCE)
        rows.append(ComponentRow(component, worst(states)))
    history, since = _history(now)
    return StatusOverview(now, rows, incidents, maintenance, history, since)


def feed_updates() -> list[PublicUpdate]:
    """The newest public updates, for the Atom feed."""
    return list(
        PublicUpdate.objects.filter(incident__is_drill=False)
        .select_related("incident")
        .order_by("-posted_at", "-id")[:FEED_ENTRIES]
    )


def affected_components(incident: Incident) -> list[StatusComponent]:
    """The components an incident touches, as far as the public may know: none for a
    restricted incident."""
    if incident.restricted:
        return []
    return list(StatusComponent.objects.filter(systems__incidents=incident).distinct())


def updates_of(incident: Incident) -> QuerySet[PublicUpdate]:
    """An incident's public updates, newest first (for staff pages and the API)."""
    return incident.public_updates.select_related("posted_by").order_by("-posted_at", "-id")


def as_json(overview: StatusOverview, lang: str) -> dict[str, Any]:
    """The overview as plain data (the API's /status), texts in `lang`."""
    from django.utils import translation

    with translation.override(lang):
        return {
            "state": overview.state,
            "components": [
                {"id": r.component.pk, "name": r.component.name, "state": r.state}
                for r in overview.components
            ],
            "incidents": [
                {
                    "id": i.incident_id,
                    "label": str(i.label),
                    "state": i.state,
                    "eta": i.eta,
                    "components": [c.name for c in i.components],
                    "updates": [_update_json(u, lang) for u in i.updates],
                }
                for i in overview.incidents
            ],
            "maintenance": [
                {
                    "id": m.window.pk,
                    "starts_at": m.window.starts_at,
                    "ends_at": m.window.ends_at,
                    "reason": m.window.reason,
                    "active": m.active,
                    "components": [c.name for c in m.components],
                }
                for m in overview.maintenance
            ],
            "history": [
                {
                    "day": d.day,
                    "incidents": [
                        {
                            "id": h.incident_id,
                            "label": str(h.label),
                            "updates": [_update_json(u, lang) for u in h.updates],
                        }
                        for h in d.incidents
                    ],
                }
                for d in overview.history
            ],
        }


def _update_json(update: PublicUpdate, lang: str) -> dict[str, Any]:
    return {
        "id": update.pk,
        "status": update.status,
        "text": update.text_in(lang),
        "eta": update.eta,
        "posted_at": update.posted_at,
    }
