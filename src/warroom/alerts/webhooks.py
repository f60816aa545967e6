"""Inbound webhooks: Alertmanager, Grafana and generic JSON under /api/v1/integrations/, and
PagerDuty's Events API v2 at /v2/enqueue.

They authenticate by the integration key (in the URL, or PagerDuty's `routing_key`), not by
user tokens. Each request goes: key (404 for a wrong one, whatever is wrong with it) → rate
limit (429 with Retry-After) → body (413 past 1 MiB, 400 unless strict JSON) → schema (422
naming the field; PagerDuty's own 400 format on /v2/enqueue) → `services.ingest`, which writes
every alert in this request's transaction before the 2xx is sent. Nothing on this path may
raise on bad input: that would be a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja import Router, Schema
from pydantic import BaseModel, ValidationError

from warroom.alerts import queries, ratelimit, services
from warroom.alerts.inbound import BadBody, read_json
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
from warroom.plan.queries import NoPlanError

router = Router(tags=["integrations"])

NOT_FOUND = "no integration with this key"
PD_THROTTLED = "Requests for this service are arriving too quickly. Please retry later."
NO_PLAN = "no plan is applied, so warroom cannot open incidents yet; retry later"


class Accepted(Schema):
    status: str
    accepted: int


class Detail(Schema):
    detail: Any


class Invalid(ValueError):
    """The payload does not fit the sender's schema; `detail` is the 422 body's list."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__(str(detail))
        self.detail = detail


Parser = Callable[[Integration, Any], list[Incoming]]


def _receive(request: HttpRequest, key: str, kind: str, parse: Parser) -> HttpResponse:
    integration = queries.integration_for_key(key, kind)
    if integration is None:
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    wait = ratelimit.take(integration)
    if wait:
        return _too_many(integration, wait, {"detail": _limit_text(integration, wait)})
    try:
        incoming = parse(integration, read_json(request))
        alerts = services.ingest(integration, incoming)
    except BadBody as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status)
    except Invalid as exc:
        return JsonResponse({"detail": exc.detail}, status=422)
    except RecursionError:
        return JsonResponse({"detail": "malformed JSON: nested too deeply"}, status=400)
    except NoPlanError:
        return JsonResponse({"detail": NO_PLAN}, status=503, headers={"Retry-After": "60"})
    return JsonResponse({"status": "success", "accepted": len(alerts)})


def _validate(model: type[BaseModel], data: Any) -> Any:
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
    return from_alertmanager(_validate(AlertmanagerPayload, data))


def _grafana(integration: Integration, data: Any) -> list[Incoming]:
    return from_alertmanager(_validate(GrafanaPayload, data))


def _generic(integration: Integration, data: Any) -> list[Incoming]:
    if not isinstance(data, dict):
        raise Invalid([{"loc": ["body"], "msg": "a JSON object is required", "type": "dict_type"}])
    return [from_generic(data, integration.templates, integration.name)]


def _too_many(integration: Integration, wait: int, body: dict[str, Any]) -> HttpResponse:
    return JsonResponse(body, status=429, headers={"Retry-After": str(wait)})


def _limit_text(integration: Integration, wait: int) -> str:
    return (
        f"more than {integration.rate_limit} requests this minute for this integration; "
        f"retry in {wait} s"
    )


def _inline(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its $defs resolved in place, for an OpenAPI requestBody."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_RESPONSES = {200: Accepted, 400: Detail, 404: Detail, 413: Detail, 422: Detail, 429: Detail}


@router.post(
    "/integrations/alertmanager/{key}",
    auth=None,
    response=_RESPONSES,
    summary="Prometheus Alertmanager webhook (payload version 4)",
    openapi_extra=_body(_inline(AlertmanagerPayload)),
)
def alertmanager(request: HttpRequest, key: str) -> HttpResponse:
    return _receive(request, key, Kind.ALERTMANAGER, _alertmanager)


@router.post(
    "/integrations/grafana/{key}",
    auth=None,
    response=_RESPONSES,
    summary="Grafana alerting webhook",
    openapi_extra=_body(_inline(GrafanaPayload)),
)
def grafana(request: HttpRequest, key: str) -> HttpResponse:
    return _receive(request, key, Kind.GRAFANA, _grafana)


@router.post(
    "/integrations/generic/{key}",
    auth=None,
    response=_RESPONSES,
    summary="Generic JSON webhook, mapped by the integration's templates",
    openapi_extra=_body({"type": "object"}),
)
def generic(request: HttpRequest, key: str) -> HttpResponse:
    return _receive(request, key, Kind.GENERIC, _generic)


# PagerDuty Events API v2 ----------------------------------------


def _pd_invalid(errors: list[str], status: int = 400) -> HttpResponse:
    return JsonResponse(
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
        status=status,
    )


@csrf_exempt
@login_not_required
@require_POST
def pagerduty_enqueue(request: HttpRequest) -> HttpResponse:
    """POST /v2/enqueue, answered as PagerDuty answers: 202 {"status": "success", "message":
    "Event processed", "dedup_key": ...}, 400 {"status": "invalid event", "message": "Event
    object is invalid", "errors": [...]}. A routing key that is not an integration's gets 404
    with the same body shape, a full rate window 429 with Retry-After."""
    try:
        event = read_json(request)
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
            integration,
            wait,
            {
                "status": "throttle event",
                "message": PD_THROTTLED,
                "errors": [_limit_text(integration, wait)],
            },
        )
    try:
        incoming = from_pagerduty(event)
        services.ingest(integration, [incoming])
    except PagerDutyInvalid as exc:
        return _pd_invalid(exc.errors)
    except RecursionError:
        return _pd_invalid(["malformed JSON: nested too deeply"])
    except NoPlanError:
        return JsonResponse(
            {"status": "error", "message": NO_PLAN}, status=503, headers={"Retry-After": "60"}
        )
    return JsonResponse(
        {"status": "success", "message": "Event processed", "dedup_key": incoming.fingerprint},
        status=202,
    )
