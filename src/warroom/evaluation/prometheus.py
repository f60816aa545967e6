"""The Prometheus `/metrics` exposition (text format 0.0.4), written by hand: five families
do not need a client library.

Only counts leave here, never a title or a name, so restricted incidents are counted without
showing anything of them. Help texts are in English like log lines: they are read by
monitoring systems, not shown in the product.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from django.db.models import Count, Sum

from warroom.alerts.models import Alert, Kind
from warroom.incidents.models import Incident, Status
from warroom.notify.models import Delivery

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Sample = tuple[Mapping[str, str], float]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label_text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
        number = int(value) if float(value).is_integer() else value
        lines.append(f"{name}{{{label_text}}} {number}" if label_text else f"{name} {number}")
    return lines


def _incidents() -> list[Sample]:
    counts = {
        (row["status"], row["is_drill"]): row["n"]
        for row in Incident.objects.values("status", "is_drill").annotate(n=Count("pk")).order_by()
    }
    # Every state is written, zeros included, so a series does not vanish when it drains.
    return [
        (
            {"state": state.value, "drill": "true" if drill else "false"},
            counts.get((state, drill), 0),
        )
        for drill in (False, True)
        for state in Status
    ]


def _deliveries() -> list[Sample]:
    counts = {
        (row["status"], row["drill"]): row["n"]
        for row in Delivery.objects.values("status", "drill").annotate(n=Count("pk")).order_by()
    }
    return [
        (
            {"status": status.value, "drill": "true" if drill else "false"},
            counts.get((status, drill), 0),
        )
        for drill in (False, True)
        for status in Delivery.Status
    ]


def _alerts() -> tuple[list[Sample], list[Sample]]:
    rows = list(
        Alert.objects.values("integration__kind", "status")
        .annotate(n=Count("pk"), received=Sum("count"))
        .order_by()
    )
    alerts = {(row["integration__kind"], row["status"]): row["n"] for row in rows}
    received: dict[str, int] = {}
    for row in rows:
        kind = row["integration__kind"]
        received[kind] = received.get(kind, 0) + (row["received"] or 0)
    return (
        [
            ({"kind": kind.value, "status": status.value}, alerts.get((kind, status), 0))
            for kind in Kind
            for status in Alert.Status
        ],
        [({"kind": kind.value}, received.get(kind, 0)) for kind in Kind],
    )


def _queue() -> list[str]:
    from huey.contrib.djhuey import HUEY

    try:
        pending, scheduled, up = HUEY.pending_count(), HUEY.scheduled_count(), 1
    except Exception:  # a queue that cannot be read (Redis down) is reported, not a 500
        log.warning("metrics: the task queue could not be read", exc_info=True)
        pending, scheduled, up = 0, 0, 0
    return [
        *_family("warroom_queue_up", "gauge", "1 when the task queue could be read.", [({}, up)]),
        *_family(
            "warroom_queue_pending",
            "gauge",
            "Tasks waiting in the queue to run now.",
            [({}, pending)],
        ),
        *_family(
            "warroom_queue_scheduled",
            "gauge",
            "Tasks scheduled to run later (retries, escalation steps).",
            [({}, scheduled)],
        ),
    ]


def _inbox() -> list[str]:
    """Alerts accepted by the webhooks and not yet routed by the worker: the lag between the
    sender's 2xx and the incident (alerts.inbox)."""
    from warroom.alerts import inbox

    return [
        *_family(
            "warroom_inbox_pending",
            "gauge",
            "Accepted webhook requests waiting to be routed by the worker.",
            [({}, inbox.pending())],
        ),
        *_family(
            "warroom_inbox_failed",
            "gauge",
            "Accepted webhook requests that could not be routed (kept for inspection).",
            [({}, inbox.failed())],
        ),
        *_family(
            "warroom_inbox_lag_seconds",
            "gauge",
            "Whole seconds the oldest waiting request has waited.",
            [({}, int(inbox.oldest_wait()))],
        ),
    ]


def exposition() -> str:
    """The text of /metrics: seven database queries and two reads of the queue."""
    alerts, received = _alerts()
    lines = [
        *_family(
            "warroom_incidents",
            "gauge",
            'Incidents by state; drills are counted apart (drill="true").',
            _incidents(),
        ),
        *_family(
            "warroom_deliveries",
            "gauge",
            "Notification deliveries by outcome (rows kept in the database).",
            _deliveries(),
        ),
        *_queue(),
        *_inbox(),
        *_family(
            "warroom_alerts",
            "gauge",
            "Alerts by the kind of integration that sent them and their state.",
            alerts,
        ),
        *_family(
            "warroom_alerts_received_total",
            "counter",
            "Alert messages received by kind of integration, repeats included.",
            received,
        ),
    ]
    return "\n".join(lines) + "\n"
