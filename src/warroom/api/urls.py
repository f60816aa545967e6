"""The REST API under /api/v1 (django-ninja), with its OpenAPI schema at /api/v1/openapi.json.

Errors are JSON: 401 unauthenticated, 403 not allowed, 404 unknown, 409 conflict,
422 bad input naming the field. Bad input never causes a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from warroom.api.auth import SessionAuth, TokenAuth
from warroom.incidents.transitions import TransitionDenied, TransitionError
from warroom.lib.errors import Conflict, DomainError
from warroom.plan.queries import NoPlanError
from warroom.plan.services import PlanInvalid


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the interactive docs are for signed-in users and token holders too."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and TokenAuth()(request) is None:
            return JsonResponse({"detail": "authentication required"}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="warroom API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    docs_decorator=signed_in_only,
)


def field_loc(field: str) -> list[str | int]:
    """'contact_methods[0].url' or 'depends_on.1' → ['body', 'contact_methods', 0, 'url']."""
    loc: list[str | int] = ["body"]
    for part in re.split(r"[.\[\]]+", field):
        if part:
            loc.append(int(part) if part.isdigit() else part)
    return loc


def _field_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 409 if isinstance(exc, Conflict) else 422
    loc = field_loc(exc.field)
    return api.create_response(
        request,
        {"detail": [{"loc": loc, "msg": exc.message, "type": "value_error"}]},
        status=status,
    )


@api.exception_handler(NinjaValidationError)
def on_invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 naming the field: the body parameter's own name is dropped from `loc`, so schema
    errors and service errors locate a field the same way: ['body', 'name']."""
    detail = []
    for error in exc.errors:
        loc = list(error.get("loc", []))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            del loc[1]
        detail.append({"loc": loc, "msg": error.get("msg", ""), "type": error.get("type", "")})
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _field_error(request, exc)


@api.exception_handler(PlanInvalid)
def on_invalid_plan(request: HttpRequest, exc: PlanInvalid) -> HttpResponse:
    detail = [
        {"loc": ["body", "source", *p.loc], "line": p.line, "msg": p.message, "type": "plan_error"}
        for p in exc.problems
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(TransitionError)
def on_transition_error(request: HttpRequest, exc: TransitionError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(TransitionDenied)
def on_transition_denied(request: HttpRequest, exc: TransitionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not allowed"}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "authentication required"}, status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def on_missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.exception_handler(NoPlanError)
def on_no_plan(request: HttpRequest, exc: NoPlanError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(DjangoValidationError)
def on_model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = getattr(exc, "message_dict", {"": exc.messages})
    detail = [
        {
            "loc": ["body", field] if field and field != "__all__" else ["body"],
            "msg": " ".join(msgs),
            "type": "value_error",
        }
        for field, msgs in errors.items()
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.get("/health", auth=None, tags=["health"])
def health(request: HttpRequest) -> dict[str, str]:
    """Public liveness check (no data)."""
    return {"status": "ok"}


def _register() -> None:
    from warroom.alerts.api import router as alerts_router
    from warroom.alerts.webhooks import router as integrations_router
    from warroom.catalog.api import router as catalog_router
    from warroom.comms.api import router as comms_router
    from warroom.drills.api import router as drills_router
    from warroom.evaluation.api import router as evaluation_router
    from warroom.incidents.api import router as incidents_router
    from warroom.oncall.api import router as oncall_router
    from warroom.paging.api import router as paging_router
    from warroom.people.api import router as people_router
    from warroom.plan.api import router as plan_router
    from warroom.reports.api import router as reports_router
    from warroom.resources.api import router as resources_router

    api.add_router("/plan", plan_router)
    api.add_router("/", catalog_router)
    api.add_router("/", people_router)
    api.add_router("/", resources_router)
    api.add_router("/", incidents_router)
    api.add_router("/", alerts_router)
    api.add_router("/", integrations_router)
    api.add_router("/", oncall_router)
    api.add_router("/", paging_router)
    api.add_router("/", reports_router)
    api.add_router("/", drills_router)
    api.add_router("/", comms_router)
    api.add_router("/", evaluation_router)


_register()
