"""From each sender's payload to the alerts warroom ingests.

Every sender is parsed with a pydantic model (Alertmanager webhook version 4, Grafana alerting
webhook, PagerDuty Events API v2) or mapped by the integration's templates (generic); each
yields `Incoming` alerts for `services.ingest`. Field names in validation errors are the
sender's own (`alerts.0.labels`), so the 422 says which field is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from warroom.alerts.templating import render_mapping

Action = Literal["trigger", "resolve", "acknowledge"]
TITLE_LIMIT = 300
SEVERITY_LIMIT = 32
SOURCE_LIMIT = 500
FINGERPRINT_LIMIT = 255
LABEL_LIMIT = 60  # labels taken from a generic payload's top-level fields
VALUE_LIMIT = 500
FUTURE_SLACK = dt.timedelta(minutes=5)  # senders' clocks may run a little ahead


@dataclass
class Incoming:
    """One alert event as every sender's payload is turned into.

    `system` and `category` are hints from a generic integration's templates (a system name,
    a category code); they win over routing rules when they name something that exists.
    """

    fingerprint: str
    action: Action
    title: str
    severity: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    source: str = ""
    started_at: dt.datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    system: str = ""
    category: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the inbox stores these between the request and the worker)."""
        data = {name: getattr(self, name) for name in _FIELDS}
        if self.started_at is not None:
            data["started_at"] = self.started_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Incoming:
        started = data.get("started_at")
        values = {name: data[name] for name in _FIELDS if name in data}
        values["started_at"] = dt.datetime.fromisoformat(started) if started else None
        return cls(**values)


_FIELDS = [f for f in Incoming.__dataclass_fields__ if f != "started_at"]


class _Lenient(BaseModel):
    # Senders add fields over time; unknown ones are kept in the stored payload, not refused.
    model_config = ConfigDict(extra="allow")


# Alertmanager webhook, payload version 4 -------------------------------------------------


class AlertmanagerAlert(_Lenient):
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    startsAt: dt.datetime | None = None
    endsAt: dt.datetime | None = None
    generatorURL: str = ""
    fingerprint: str = ""


class AlertmanagerPayload(_Lenient):
    version: str
    groupKey: str
    status: Literal["firing", "resolved"]
    receiver: str
    groupLabels: dict[str, str] = {}
    commonLabels: dict[str, str] = {}
    commonAnnotations: dict[str, str] = {}
    externalURL: str = ""
    truncatedAlerts: int = Field(0, ge=0)
    alerts: list[AlertmanagerAlert]


# Grafana alerting webhook (version "1") ---------------------------------------------------


class GrafanaAlert(AlertmanagerAlert):
    values: dict[str, Any] | None = None
    silenceURL: str = ""
    dashboardURL: str = ""
    panelURL: str = ""
    imageURL: str = ""


class GrafanaPayload(_Lenient):
    receiver: str
    status: Literal["firing", "resolved"]
    orgId: int | None = None
    alerts: list[GrafanaAlert]
    groupLabels: dict[str, str] = {}
    commonLabels: dict[str, str] = {}
    commonAnnotations: dict[str, str] = {}
    externalURL: str = ""
    version: str = ""
    groupKey: str = ""
    truncatedAlerts: int = Field(0, ge=0)
    title: str = ""
    state: str = ""
    message: str = ""


def from_alertmanager(
    payload: AlertmanagerPayload | GrafanaPayload, raw: list[Any] | None = None
) -> list[Incoming]:
    """Alertmanager and Grafana alerts: the sender's fingerprint (else a hash of the labels),
    the summary annotation (else the alert name) as title, the severity label. `raw`, the
    request's own `alerts` list, is kept as each alert's payload when given (dumping the
    parsed models again would cost more than the rest of this function)."""
    items = []
    latest = timezone.now() + FUTURE_SLACK
    for index, alert in enumerate(payload.alerts):
        labels = dict(alert.labels)
        annotations = dict(alert.annotations)
        title = annotations.get("summary") or labels.get("alertname") or alert.fingerprint
        items.append(
            Incoming(
                fingerprint=clip(alert.fingerprint, FINGERPRINT_LIMIT) or label_hash(labels),
                action="trigger" if alert.status == "firing" else "resolve",
                title=clip(title, TITLE_LIMIT) or "alert",
                severity=clip(labels.get("severity", ""), SEVERITY_LIMIT),
                labels=labels,
                annotations=annotations,
                source=clip(alert.generatorURL, SOURCE_LIMIT),
                started_at=sane_time(alert.startsAt, latest),
                payload=raw[index] if raw is not None else alert.model_dump(mode="json"),
            )
        )
    return items


# PagerDuty Events API v2 --------------------------------------------------------------------

PD_ACTIONS = ("trigger", "acknowledge", "resolve")
PD_SEVERITIES = ("critical", "error", "warning", "info")


class PagerDutyInvalid(ValueError):
    """The event breaks the Events API v2 rules; `errors` are PagerDuty-style messages."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def routing_key_of(event: Any) -> str:
    """The event's routing key, or PagerDutyInvalid when there is none."""
    key = event.get("routing_key") if isinstance(event, Mapping) else None
    if not isinstance(key, str) or not key.strip():
        raise PagerDutyInvalid(["'routing_key' is missing or blank"])
    return key.strip()


def from_pagerduty(event: Mapping[str, Any]) -> Incoming:
    """One Events API v2 event (routing key already checked). A trigger without a dedup_key
    gets a new one, as PagerDuty does. Raises PagerDutyInvalid listing every problem."""
    errors: list[str] = []
    action = event.get("event_action")
    if not isinstance(action, str) or not action:
        errors.append("'event_action' is missing or blank")
    elif action not in PD_ACTIONS:
        errors.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
    dedup_key = event.get("dedup_key")
    if dedup_key is not None and not isinstance(dedup_key, str):
        errors.append("'dedup_key' must be a string")
        dedup_key = None
    elif isinstance(dedup_key, str) and len(dedup_key) > FINGERPRINT_LIMIT:
        errors.append("'dedup_key' is too long (maximum is 255 characters)")
    if action in ("acknowledge", "resolve") and not (dedup_key or "").strip():
        errors.append("'dedup_key' is missing or blank")
    body = event.get("payload")
    if action == "trigger" or body is not None:
        errors.extend(_pd_payload_errors(body, required=action == "trigger"))
    for name, needed in (("links", "href"), ("images", "src")):
        errors.extend(_pd_context_errors(event.get(name), name, needed))
    if errors:
        raise PagerDutyInvalid(errors)
    assert action in PD_ACTIONS
    body = body if isinstance(body, Mapping) else {}
    labels = {
        name: clip(body[name], VALUE_LIMIT)
        for name in ("source", "severity", "component", "group", "class")
        if isinstance(body.get(name), str) and body[name]
    }
    annotations = {"summary": body["summary"]} if isinstance(body.get("summary"), str) else {}
    details = body.get("custom_details")
    if details not in (None, "", {}):
        annotations["description"] = _details_text(details)
    for name in ("client", "client_url"):
        if isinstance(event.get(name), str) and event[name]:
            annotations[name] = clip(event[name], VALUE_LIMIT)
    key = (dedup_key or "").strip() or uuid.uuid4().hex
    return Incoming(
        fingerprint=key,
        action=action,
        title=clip(annotations.get("summary", ""), TITLE_LIMIT) or key,
        severity=labels.get("severity", ""),
        labels=labels,
        annotations=annotations,
        source=clip(labels.get("source", ""), SOURCE_LIMIT),
        started_at=sane_time(_timestamp(body.get("timestamp"))),
        payload={k: v for k, v in event.items() if k != "routing_key"},
    )


def _pd_payload_errors(body: Any, *, required: bool) -> list[str]:
    if not isinstance(body, Mapping):
        return ["'payload' is missing or not an object"] if required else []
    errors = []
    for name in ("summary", "source", "severity"):
        value = body.get(name)
        if required and (not isinstance(value, str) or not value.strip()):
            errors.append(f"'payload.{name}' is missing or blank")
        elif value is not None and not isinstance(value, str):
            errors.append(f"'payload.{name}' must be a string")
    summary = body.get("summary")
    if isinstance(summary, str) and len(summary) > 1024:
        errors.append("'payload.summary' is too long (maximum is 1024 characters)")
    severity = body.get("severity")
    if isinstance(severity, str) and severity.strip() and severity not in PD_SEVERITIES:
        errors.append(
            "'payload.severity' is invalid (must be one of: critical, error, warning, info)"
        )
    for name in ("component", "group", "class"):
        if body.get(name) is not None and not isinstance(body.get(name), str):
            errors.append(f"'payload.{name}' must be a string")
    stamp = body.get("timestamp")
    if stamp is not None and _timestamp(stamp) is None:
        errors.append("'payload.timestamp' is not a valid ISO 8601 timestamp")
    return errors


def _pd_context_errors(items: Any, name: str, needed: str) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list):
        return [f"'{name}' must be an array"]
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get(needed), str):
            return [f"'{name}[{index}].{needed}' is missing or blank"]
    return []


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    # PagerDuty's own example writes the offset without a colon (+0000).
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _details_text(details: Any) -> str:
    if isinstance(details, Mapping):
        lines = [f"{k}: {v if isinstance(v, str) else json.dumps(v)}" for k, v in details.items()]
        return clip("\n".join(lines), 4000)
    return clip(details if isinstance(details, str) else json.dumps(details), 4000)


# Generic JSON webhook -------------------------------------------------------------------------

RESOLVED_WORDS = ("resolved", "resolve", "ok", "closed", "recovered", "up")


def from_generic(payload: Mapping[str, Any], templates: Mapping[str, str], name: str) -> Incoming:
    """A generic payload mapped by the integration's templates. Labels are the payload's
    top-level text, number and boolean fields (as text); the fingerprint is the rendered
    dedup_key, else a hash of those labels. A template that fails leaves its field to the
    fallback and is noted in the annotation `warroom_template_errors`."""
    values, errors = render_mapping(templates, payload)
    labels: dict[str, str] = {}
    for key, value in payload.items():
        if len(labels) >= LABEL_LIMIT:
            break
        if isinstance(value, bool):
            labels[str(key)[:100]] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            labels[str(key)[:100]] = clip(str(value), VALUE_LIMIT)
    for key in ("severity", "system", "category"):
        if key in values:
            labels[key] = values[key]
    annotations = {}
    if errors:
        annotations["warroom_template_errors"] = "; ".join(
            f"{key}: {message}" for key, message in sorted(errors.items())
        )
    fallback = payload.get("title") or payload.get("summary") or payload.get("message")
    title = values.get("title") or (fallback if isinstance(fallback, str) else "") or name
    status = values.get("status", "").lower()
    dedup = values.get("dedup_key", "")
    return Incoming(
        fingerprint=dedup if len(dedup) <= FINGERPRINT_LIMIT and dedup else label_hash(labels),
        action="resolve" if status in RESOLVED_WORDS else "trigger",
        title=clip(title, TITLE_LIMIT),
        severity=clip(values.get("severity", ""), SEVERITY_LIMIT),
        labels=labels,
        annotations=annotations,
        payload=dict(payload),
        system=values.get("system", ""),
        category=values.get("category", ""),
    )


# Helpers ---------------------------------------------------------------------------------------


def label_hash(labels: Mapping[str, str]) -> str:
    """SHA-256 (hex) of the labels sorted by name: the same labels give the same alert."""
    canonical = json.dumps(sorted(labels.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sane_time(value: dt.datetime | None, latest: dt.datetime | None = None) -> dt.datetime | None:
    """A sender's time when it is believable (after 2000, at most five minutes ahead — or
    before `latest`), in UTC when it came without an offset; else None. Alertmanager writes
    year 1 for "no end"."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value.year < 2000 or value > (latest or timezone.now() + FUTURE_SLACK):
        return None
    return value
