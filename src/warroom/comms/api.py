"""The comms app in the REST API: an incident's public updates, the status page as data
(signed in; the public reads /status and its feed), and the status components."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Router, Status

from warroom.api.common import get_or_404
from warroom.catalog.models import System
from warroom.comms import queries, services
from warroom.comms import schemas as s
from warroom.comms.models import StatusComponent
from warroom.comms.public import pick_language
from warroom.incidents import queries as incident_queries
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError

router = Router(tags=["status"])


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every operation
    return user


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    incident = incident_queries.visible_incidents(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("incident not found")
    return incident


def _systems(names: list[str]) -> list[System]:
    found = {sys.name: sys for sys in System.objects.filter(name__in=names)}
    for i, name in enumerate(names):
        if name not in found:
            raise DomainError(f"systems.{i}", f"unknown system {name!r}")
    return [found[n] for n in names]


@router.get("/incidents/{incident_id}/public-updates", response=list[s.PublicUpdateOut])
def list_public_updates(request: HttpRequest, incident_id: int) -> Any:
    return queries.updates_of(_incident(request, incident_id))


@router.post("/incidents/{incident_id}/public-updates", response={201: s.PublicUpdateOut})
def post_public_update(request: HttpRequest, incident_id: int, payload: s.PublicUpdateIn) -> Any:
    update = services.post_public_update(
        _incident(request, incident_id),
        actor=_user(request),
        status=payload.status,
        text_en=payload.text_en,
        text_zh=payload.text_zh,
        eta=payload.eta,
    )
    return Status(201, update)


@router.get("/status", response=dict[str, Any])
def status(request: HttpRequest) -> Any:
    """What the public status page shows, as data (texts in ?lang= or the UI language)."""
    return queries.as_json(queries.status_overview(), pick_language(request))


@router.get("/status/components", response=list[s.ComponentOut])
def list_components(request: HttpRequest) -> Any:
    return StatusComponent.objects.prefetch_related("systems")


@router.post("/status/components", response={201: s.ComponentOut})
def create_component(request: HttpRequest, payload: s.ComponentIn) -> Any:
    component = services.save_component(
        None,
        actor=_user(request),
        name_en=payload.name_en,
        name_zh=payload.name_zh,
        systems=_systems(payload.systems),
        position=payload.position,
        visible=payload.visible,
    )
    return Status(201, component)


@router.get("/status/components/{component_id}", response=s.ComponentOut)
def get_component(request: HttpRequest, component_id: int) -> Any:
    return get_or_404(StatusComponent.objects, "status component", pk=component_id)


@router.patch("/status/components/{component_id}", response=s.ComponentOut)
def update_component(request: HttpRequest, component_id: int, payload: s.ComponentPatch) -> Any:
    component = get_or_404(StatusComponent.objects, "status component", pk=component_id)
    current: dict[str, Any] = {
        "name_en": component.name_en,
        "name_zh": component.name_zh,
        "systems": list(component.systems.all()),
        "position": component.position,
        "visible": component.visible,
    }
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "systems" in changes:
        changes["systems"] = _systems(changes["systems"])
    return services.save_component(component, actor=_user(request), **{**current, **changes})


@router.delete("/status/components/{component_id}", response={204: None})
def delete_component(request: HttpRequest, component_id: int) -> Any:
    component = get_or_404(StatusComponent.objects, "status component", pk=component_id)
    services.delete_component(component, actor=_user(request))
    return Status(204, None)
