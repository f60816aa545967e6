"""Answering an inbound webhook, independent of any web framework.

Each request goes: key (404 for a wrong one, whatever is wrong with it) → rate limit (429
with Retry-After) → body (413 past 1 MiB, 400 unless strict JSON) → schema (422 naming the
field; PagerDuty's own 400 format on /v2/enqueue) → the inbox, which stores the request's
alerts in one INSERT committed before the 2xx is sent. Routing, grouping and paging happen
next in the worker (`alerts.inbox`).

Both the Django views (`alerts.webhooks`, which also document the endpoints in OpenAPI) and
the WSGI fast path (`alerts.fastpath`, which serves them in production without Django's
request machinery) call these functions, so the two cannot answer differently. Nothing here
may raise on bad input: that would be a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from warroom.alerts import inbox, queries, ratelimit
from warroom.alerts.inbound import BadBody, read_body
from warroom.alerts.models import Integration, Kind
from warroom.alerts.normalize import (
    AlertmanagerPayload,
    GrafanaPayload,
    Incoming,
    PagerDutyInvalid,
    from_alertmanager,
    from_generic,
    from_pagerduty,
    routing_key_of,
)

NOT_FOUND = "no integration with this key"
PD_THROTTLED = "Requests for this service are arriving too quickly. Please retry later."
NO_PLAN = "no plan is applied, so warroom cannot open incidents yet; retry later"

Reader = Callable[[int], bytes]


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class Invalid(ValueError):
    """The payload does not fit the sender's schema; `detail` is the 422 body's list."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__(str(detail))
        self.detail = detail


Parser = Callable[[Integration, Any], list[Incoming]]


def receive(kind: str, key: str, declared_length: str | None, read: Reader) -> Reply:
    """An Alertmanager, Grafana or generic webhook for the integration with `key`."""
    integration = queries.integration_for_key(key, kind)
    if integration is None:
        return Reply(404, {"detail": NOT_FOUND})
    wait = ratelimit.take(integration)
    if wait:
        return _too_many(wait, {"detail": _limit_text(integration, wait)})
    if not inbox.plan_applied():
        return Reply(503, {"detail": NO_PLAN}, {"Retry-After": "60"})
    try:
        incoming = PARSERS[kind](integration, read_body(declared_length, read))
    except BadBody as exc:
        return Reply(exc.status, {"detail": exc.message})
    except Invalid as exc:
        return Reply(422, {"detail": exc.detail})
    except RecursionError:
        return Reply(400, {"detail": "malformed JSON: nested too deeply"})
    inbox.accept(integration, incoming)
    return Reply(200, {"status": "success", "accepted": len(incoming)})


def receive_pagerduty(declared_length: str | None, read: Reader) -> Reply:
    """POST /v2/enqueue, answered as PagerDuty answers: 202 {"status": "success", "message":
    "Event processed", "dedup_key": ...}, 400 {"status": "invalid event", "message": "Event
    object is invalid", "errors": [...]}. A routing key that is not an integration's gets 404
    with the same body shape, a full rate window 429 with Retry-After."""
    try:
        event = read_body(declared_length, read)
    except BadBody as exc:
        return _pd_invalid([exc.message], exc.status)
    if not isinstance(event, dict):
        return _pd_invalid(["the event must be a JSON object"])
    try:
        key = routing_key_of(event)
    except PagerDutyInvalid as exc:
        return _pd_invalid(exc.errors)
    integration = queries.integration_for_key(key, Kind.PAGERDUTY)
    if integration is None:
        return _pd_invalid(["Invalid routing key"], 404)
    wait = ratelimit.take(integration)
    if wait:
        return _too_many(
            wait,
            {
                "status": "throttle event",
                "message": PD_THROTTLED,
                "errors": [_limit_text(integration, wait)],
            },
        )
    if not inbox.plan_applied():
        return Reply(503, {"status": "error", "message": NO_PLAN}, {"Retry-After": "60"})
    try:
        incoming = from_pagerduty(event)
    except PagerDutyInvalid as exc:
        return _pd_invalid(exc.errors)
    except RecursionError:
        return _pd_invalid(["malformed JSON: nested too deeply"])
    inbox.accept(integration, [incoming])
    return Reply(
        202,
        {"status": "success", "message": "Event processed", "dedup_key": incoming.fingerprint},
    )


# Parsers -----------------------------------------------------------------------------------


def validate(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(
            [
                # The input itself is left out: it may be large, and it is the sender's own.
                {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
                for error in exc.errors(include_url=False, include_input=False)
            ]
        ) from None


def _alertmanager(integration: Integration, data: Any) -> list[Incoming]:
    return from_alertmanager(validate(AlertmanagerPayload, data), data["alerts"])


def _grafana(integration: Integration, data: Any) -> list[Incoming]:
    return from_alertmanager(validate(GrafanaPayload, data), data["alerts"])


def _generic(integration: Integration, data: Any) -> list[Incoming]:
    if not isinstance(data, dict):
        raise Invalid([{"loc": ["body"], "msg": "a JSON object is required", "type": "dict_type"}])
    return [from_generic(data, integration.templates, integration.name)]


PARSERS: dict[str, Parser] = {
    Kind.ALERTMANAGER: _alertmanager,
    Kind.GRAFANA: _grafana,
    Kind.GENERIC: _generic,
}


# Answers -------------------------------------------------------------------------------------


def _pd_invalid(errors: list[str], status: int = 400) -> Reply:
    return Reply(
        status,
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
    )


def _too_many(wait: int, body: dict[str, Any]) -> Reply:
    return Reply(429, body, {"Retry-After": str(wait)})


def _limit_text(integration: Integration, wait: int) -> str:
    return (
        f"more than {integration.rate_limit} requests this minute for this integration; "
        f"retry in {wait} s"
    )
