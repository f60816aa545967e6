"""Inbound webhooks as Django views: Alertmanager, Grafana and generic JSON under
/api/v1/integrations/, and PagerDuty's Events API v2 at /v2/enqueue.

They authenticate by the integration key (in the URL, or PagerDuty's `routing_key`), not by
user tokens. What they answer is decided in `alerts.intake`; these views adapt it to Django
and describe the endpoints in the OpenAPI document. In production `warroom.wsgi` sends these
paths to the same functions without Django's middleware (`alerts.fastpath`), so that one
request costs a fraction of a millisecond.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja import Router, Schema
from pydantic import BaseModel

from warroom.alerts import intake
from warroom.alerts.models import Kind
from warroom.alerts.normalize import AlertmanagerPayload, GrafanaPayload

router = Router(tags=["integrations"])


class Accepted(Schema):
    status: str
    accepted: int


class Detail(Schema):
    detail: Any


def _respond(reply: intake.Reply) -> HttpResponse:
    return JsonResponse(reply.body, status=reply.status, headers=reply.headers)


def _receive(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    return _respond(
        intake.receive(kind, key, request.META.get("CONTENT_LENGTH"), lambda n: request.body)
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
    return _receive(request, key, Kind.ALERTMANAGER)


@router.post(
    "/integrations/grafana/{key}",
    auth=None,
    response=_RESPONSES,
    summary="Grafana alerting webhook",
    openapi_extra=_body(_inline(GrafanaPayload)),
)
def grafana(request: HttpRequest, key: str) -> HttpResponse:
    return _receive(request, key, Kind.GRAFANA)


@router.post(
    "/integrations/generic/{key}",
    auth=None,
    response=_RESPONSES,
    summary="Generic JSON webhook, mapped by the integration's templates",
    openapi_extra=_body({"type": "object"}),
)
def generic(request: HttpRequest, key: str) -> HttpResponse:
    return _receive(request, key, Kind.GENERIC)


# PagerDuty Events API v2 ----------------------------------------


@csrf_exempt
@login_not_required
@require_POST
def pagerduty_enqueue(request: HttpRequest) -> HttpResponse:
    """POST /v2/enqueue: PagerDuty's Events API v2 (see intake.receive_pagerduty)."""
    return _respond(
        intake.receive_pagerduty(request.META.get("CONTENT_LENGTH"), lambda n: request.body)
    )
