"""The lifecycle's actions (acknowledge … close, cancel), the assessment, the response team and
orders (plan §4.2). Each: parse → find the incident the viewer may see → one service → answer.
Who may do what is the services' and the transition table's decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from warroom.incidents import forms as f
from warroom.incidents import services
from warroom.incidents.models import Incident, Order
from warroom.incidents.views.base import act, load

# Steps without input: the service and what to say once done.
STEPS: dict[str, tuple[Callable[..., Incident], Any]] = {
    "acknowledge": (services.acknowledge_incident, gettext_lazy("Acknowledged.")),
    "respond": (services.start_response, gettext_lazy("The response has started.")),
    "recover": (services.start_recovery, gettext_lazy("Recovery has started.")),
    "review": (services.start_review, gettext_lazy("The review has started.")),
    "close": (services.close_incident, gettext_lazy("The incident is closed.")),
}


@require_POST
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    page = load(request, pk)
    service, done = STEPS[step]
    return act(page, "incident", lambda: service(page.incident, actor=page.user), done=str(done))


@require_POST
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.AssessForm(request.POST, plan=page.plan, lang=page.lang)

    def call() -> None:
        data = form.cleaned_data
        services.assess_incident(
            page.incident,
            actor=page.user,
            level=data["level"],
            category=data["category"],
            systems=list(data["systems"]),
            scope=data["scope"],
            restricted=data["restricted"],
        )

    done = gettext("Assessment recorded.")
    return act(page, "incident", call, done=done, form=form, form_name="assess")


@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.ReasonForm(request.POST)

    def call() -> None:
        services.resume_response(page.incident, actor=page.user, reason=form.cleaned_data["reason"])

    done = gettext("Back to responding.")
    return act(page, "incident", call, done=done, form=form, form_name="resume")


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.ResolveForm(request.POST)

    def call() -> None:
        services.resolve_incident(
            page.incident, actor=page.user, override_reason=form.cleaned_data["override_reason"]
        )

    done = gettext("The incident is resolved; the report draft is ready.")
    return act(page, "incident", call, done=done, form=form, form_name="resolve")


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.CancelForm(request.POST, others=page.other_open_incidents())

    def call() -> None:
        services.cancel_incident(
            page.incident,
            actor=page.user,
            reason=form.cleaned_data["reason"],
            merged_into=form.cleaned_data["merged_into"],
        )

    done = gettext("The incident is cancelled.")
    return act(page, "incident", call, done=done, form=form, form_name="cancel")


@require_POST
def team(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.TeamForm(request.POST, members=page.team_choices[0], roles=page.role_choices)

    def call() -> None:
        services.set_team(page.incident, actor=page.user, members=form.chosen())

    done = gettext("Response team confirmed.")
    return act(page, "incident", call, done=done, form=form, form_name="team")


@require_POST
def issue_order(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.OrderForm(request.POST, roles=page.role_choices)

    def call() -> None:
        data = form.cleaned_data
        services.issue_order(
            page.incident,
            actor=page.user,
            text=data["text"],
            to_role=data["to_role"],
            to_person=data["to_person"],
            due_at=data["due_at"],
        )

    done = gettext("Order issued.")
    return act(page, "orders", call, done=done, form=form, form_name="order")


@require_POST
def acknowledge_order(request: HttpRequest, pk: int, order_id: int) -> HttpResponse:
    page = load(request, pk)
    order = get_object_or_404(Order, pk=order_id, incident=page.incident)
    order.incident = page.incident

    def call() -> None:
        services.acknowledge_order(order, actor=page.user)

    return act(page, "orders", call, done=gettext("Order acknowledged."))
