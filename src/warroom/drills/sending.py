"""Sending a drill's injects through the real ingestion and paging path.

An alert inject is an Alertmanager (version 4) webhook posted over HTTP to the drills
integration's URL at `settings.BASE_URL` — the very endpoint monitoring uses. When no web
server answers there (a worker on a machine without one, a test without a live server), the
same ingestion service is called in-process instead; `Inject.sent_via` records which.
A report inject goes through `incidents.services.report_incident(drill=True)`, as a person's
report would.

The drills integration is an ordinary Alertmanager integration marked `drill`, so its alerts
open drill incidents only. Its key is never stored: it is derived from SECRET_KEY, so the web
processes and the workers (which share that key anyway, for signed links) can all compute it
and only its digest is in the database, like any other integration's.

Each inject is sent by one queue task at its due time. The task claims the row with a
conditional UPDATE of `sent_at` (atomic on SQLite and PostgreSQL), so a doubled task sends
nothing; `sweep` re-finds injects whose task was lost. Sending an alert twice would be
harmless anyway: its fingerprint is fixed per inject, so a repeat joins the same alert.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from warroom.alerts import configure, inbox, keys
from warroom.alerts import services as alerts
from warroom.alerts.models import Alert, Integration, Kind
from warroom.alerts.normalize import AlertmanagerPayload, from_alertmanager
from warroom.drills.models import Drill, Inject
from warroom.incidents.models import Incident
from warroom.incidents.services import report_incident
from warroom.incidents.timeline import append_event
from warroom.lib.errors import DomainError
from warroom.plan.queries import NoPlanError

log = logging.getLogger(__name__)

KEY_SALT = "warroom.drills.integration"
HTTP_TIMEOUT = 10.0  # seconds; the endpoint answers once the alert is stored
ROUTE_WAIT = 10.0  # seconds for the inbox to route it after that
MAX_ATTEMPTS = 3
# An inject due for longer than this, never claimed, has lost its task; one claimed longer
# than STALE_CLAIM ago without an outcome belongs to a worker that died while sending.
LOST_TASK_GRACE = dt.timedelta(seconds=30)
STALE_CLAIM = dt.timedelta(minutes=2)
SWEEP_BATCH = 200


class Unreachable(Exception):
    """No web server answered at BASE_URL (refused, unknown host, timed out)."""


# The drills integration -----------------------------------------------------------------------


def drill_key() -> str:
    """The drills integration's key: 32 URL-safe characters derived from SECRET_KEY."""
    digest = salted_hmac(KEY_SALT, "alertmanager", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def drills_integration() -> Integration:
    """The integration drills post their alerts to, made on first use.

    Raises DomainError when it exists but is no longer marked `drill` (someone changed it):
    its alerts would then open real incidents, so no drill may use it.
    """
    raw = drill_key()
    found = Integration.objects.filter(key_digest=keys.digest(raw)).first()
    if found is None:
        with transaction.atomic():
            found, _unused_key = configure.create_integration(
                kind=Kind.ALERTMANAGER,
                name=gettext("Drills (warroom)"),
                created_by=None,
                drill=True,
            )
            # The key create_integration made is replaced by the derived one (see the module
            # docstring); only its digest and first characters are stored, as for any key.
            Integration.objects.filter(pk=found.pk).update(
                key_prefix=raw[: keys.PREFIX_LENGTH], key_digest=keys.digest(raw)
            )
            found.refresh_from_db()
    if not found.drill:
        raise DomainError(
            "integration",
            gettext("the drills integration %(name)s is no longer marked as a drill integration")
            % {"name": found.name},
        )
    return found


def webhook_url() -> str:
    return keys.webhook_url(Kind.ALERTMANAGER, drill_key())


# Payloads -----------------------------------------------------------------------------------------


def fingerprint(inject: Inject, index: int = 0) -> str:
    return f"warroom-drill-{inject.drill_id}-inject-{inject.pk}-{index}"


def alert_payload(inject: Inject) -> dict[str, Any]:
    """The Alertmanager webhook the inject sends: its own payload, or one made from its
    fields. Fingerprints are set per inject and every alert is labelled with the drill."""
    labels = {"alertname": "WarroomDrill", "warroom_drill": str(inject.drill_id)}
    if inject.payload:
        payload = copy.deepcopy(inject.payload)
    else:
        alert_labels = {**labels, "severity": inject.level or "critical"}
        if inject.category:
            alert_labels["category"] = inject.category
        if inject.system is not None:
            alert_labels["system"] = inject.system.name
        annotations = {"summary": inject.title}
        if inject.description:
            annotations["description"] = inject.description
        payload = {
            "version": "4",
            "groupKey": f"warroom-drill-{inject.drill_id}",
            "status": "firing",
            "receiver": "warroom-drills",
            "groupLabels": {"warroom_drill": str(inject.drill_id)},
            "commonLabels": alert_labels,
            "commonAnnotations": annotations,
            "externalURL": "",
            "truncatedAlerts": 0,
            "alerts": [
                {
                    "status": "firing",
                    "labels": alert_labels,
                    "annotations": annotations,
                    "startsAt": timezone.now().isoformat(),
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "",
                }
            ],
        }
    for index, alert in enumerate(payload.get("alerts", [])):
        alert["fingerprint"] = fingerprint(inject, index)
        alert["labels"] = {**alert.get("labels", {}), "warroom_drill": str(inject.drill_id)}
    return payload


# Sending ---------------------------------------------------------------------------------------


def enqueue(inject_id: int, due_at: dt.datetime | None) -> None:
    """Queue the send task for the inject's due time (now when it is already due)."""
    from warroom.drills.tasks import task_send_inject

    if due_at is not None and due_at > timezone.now() + dt.timedelta(seconds=1):
        task_send_inject.schedule(args=(inject_id,), eta=due_at)
    else:
        task_send_inject(inject_id)


def _claim(inject_id: int, now: dt.datetime) -> bool:
    return bool(
        Inject.objects.filter(
            pk=inject_id,
            sent_at__isnull=True,
            due_at__lte=now,
            attempts__lt=MAX_ATTEMPTS,
            drill__status=Drill.Status.RUNNING,
        ).update(sent_at=now, attempts=F("attempts") + 1)
    )


def send_inject(inject_id: int) -> bool:
    """Send the inject if it is due, unsent and its drill is running; returns whether this
    call sent it (False: not due, already claimed, drill not running, or it failed).

    Call it outside a transaction: an alert inject posts to the web server, which must be
    able to write while this waits for its answer.
    """
    now = timezone.now()
    inject = Inject.objects.select_related("drill", "system").filter(pk=inject_id).first()
    if inject is None:
        return False
    if inject.kind == Inject.Kind.REPORT:
        return _send_report(inject, now)
    if not _claim(inject_id, now):
        return False
    try:
        integration = drills_integration()
        payload = alert_payload(inject)
        try:
            _post(webhook_url(), payload)
            via = "http"
        except Unreachable as exc:
            log.info("drill inject %s: %s; ingesting in-process", inject_id, exc)
            parsed = AlertmanagerPayload.model_validate(payload)
            alerts.ingest(integration, from_alertmanager(parsed))
            via = "in_process"
        fingerprints = [fingerprint(inject, i) for i in range(len(payload["alerts"]))]
        incident_id = _routed(integration, fingerprints)
    except (DomainError, NoPlanError, RuntimeError, ValueError) as exc:
        _failed(inject, now, str(exc))
        return False
    incident = Incident.objects.filter(pk=incident_id).first() if incident_id else None
    if incident is None:
        # Recorded, but it opened nothing: a silence or a maintenance window covered it.
        _failed(inject, now, gettext("the alert was recorded but opened no incident"), final=True)
        return False
    _done(inject, now, incident, via)
    return True


def _routed(integration: Integration, fingerprints: list[str]) -> int | None:
    """The incident the inject's alerts opened or joined (None: recorded, but silenced).

    The webhook only stores what it accepted; the inbox loop routes it a moment later. This
    runs the inbox step itself while it waits, so it does not depend on that loop running
    (it is safe beside it). RuntimeError when the alerts are not routed within ROUTE_WAIT."""
    deadline = time.monotonic() + ROUTE_WAIT
    while True:
        inbox.process_pending()
        rows = Alert.objects.filter(integration=integration, fingerprint__in=fingerprints)
        if rows.exists():
            return rows.exclude(incident=None).values_list("incident_id", flat=True).first()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the alert was accepted but not routed within {ROUTE_WAIT} s")
        time.sleep(0.05)


def _send_report(inject: Inject, now: dt.datetime) -> bool:
    # Claim and report in one transaction: a worker that dies half-way leaves neither.
    with transaction.atomic():
        if not _claim(inject.pk, now):
            return False
        # The person who started the drill plays the reporter, as a person would report.
        starter = inject.drill.started_by_id
        reporter = User.objects.filter(pk=starter, is_active=True).first() if starter else None
        try:
            with transaction.atomic():
                incident = report_incident(
                    reporter=reporter,
                    title=inject.title,
                    description=inject.description,
                    systems=[inject.system] if inject.system else [],
                    category=inject.category,
                    level=inject.level,
                    source="drill",
                    drill=True,
                )
        except (DomainError, NoPlanError) as exc:
            _failed(inject, now, str(exc), final=True)
            return False
        _done(inject, now, incident, "report")
    return True


def _post(url: str, payload: dict[str, Any]) -> None:
    """POST the payload as JSON. Raises Unreachable when no server answered, RuntimeError
    naming the status when it answered with an error."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "warroom-drills"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()[:500].decode("utf-8", "replace")
        raise RuntimeError(f"HTTP {exc.code} from {_safe(url)}: {body}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise Unreachable(f"no answer from {_safe(url)}: {exc}") from None


def _safe(url: str) -> str:
    """The URL without the key, for errors and logs."""
    return url.replace(drill_key(), "…")


def _done(inject: Inject, claimed_at: dt.datetime, incident: Incident, via: str) -> None:
    with transaction.atomic():
        updated = Inject.objects.filter(pk=inject.pk, sent_at=claimed_at).update(
            done_at=timezone.now(), incident=incident, sent_via=via, error=""
        )
        if updated:
            append_event(
                incident,
                "drill",
                actor=None,
                data={
                    "drill": inject.drill_id,
                    "inject": inject.pk,
                    "kind": inject.kind,
                    "title": inject.title,
                },
            )


def _failed(inject: Inject, claimed_at: dt.datetime, error: str, *, final: bool = False) -> None:
    """Record why the send failed. Unless `final` or out of attempts the claim is released,
    so that the sweep tries again."""
    log.warning("drill inject %s failed: %s", inject.pk, error)
    retry = not final and inject.attempts + 1 < MAX_ATTEMPTS
    Inject.objects.filter(pk=inject.pk, sent_at=claimed_at).update(
        error=error[:2000],
        sent_at=None if retry else claimed_at,
        attempts=F("attempts") if retry else MAX_ATTEMPTS,
    )


def sweep() -> int:
    """Re-enqueue the injects of running drills whose task was lost, and those a dead worker
    claimed without an outcome; returns how many were enqueued."""
    now = timezone.now()
    running = Inject.objects.filter(drill__status=Drill.Status.RUNNING, done_at=None)
    with transaction.atomic():
        stale = list(
            running.filter(sent_at__lt=now - STALE_CLAIM, attempts__lt=MAX_ATTEMPTS)
            .order_by("due_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Inject.objects.filter(pk__in=stale, done_at=None).update(sent_at=None)
        lost = list(
            running.filter(
                sent_at=None, due_at__lt=now - LOST_TASK_GRACE, attempts__lt=MAX_ATTEMPTS
            )
            .order_by("due_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        enqueued = sorted(set(lost) | set(stale))
        for pk in enqueued:
            transaction.on_commit(partial(enqueue, pk, None))
    if enqueued:
        log.info("drills sweep: re-enqueued %d injects", len(enqueued))
    return len(enqueued)
