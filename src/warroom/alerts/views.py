"""Pages of the alerts app: recent alerts, integrations (a new key is shown once, with the
exact URL to configure), routing rules, silences and maintenance windows.

Everyone signed in reads; the people who manage the plan change. Each view parses, authorises,
calls one service and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from warroom.alerts import configure, inbox, keys, queries
from warroom.alerts.forms import (
    AlertFilterForm,
    IntegrationForm,
    MaintenanceForm,
    RoutingRuleForm,
    SilenceForm,
)
from warroom.alerts.matchers import parse_matchers
from warroom.alerts.models import Integration, MaintenanceWindow, RoutingRule, Silence
from warroom.core.web import (
    confirm_delete,
    is_htmx,
    post_data,
    render_page_or_fragment,
    require,
    show_domain_error,
    ui_language,
)
from warroom.lib.errors import DomainError
from warroom.people.access import can_manage_plan

RECENT = 200


def _manager(request: HttpRequest) -> User:
    require(can_manage_plan(request.user))
    assert isinstance(request.user, User)
    return request.user


def alert_list(request: HttpRequest) -> HttpResponse:
    filters = AlertFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    items = queries.visible_alerts(request.user)
    if status:
        items = items.filter(status=status)
    context: dict[str, Any] = {"alerts": list(items[:RECENT]), "filters": filters, "limit": RECENT}
    if not is_htmx(request):
        # Requests accepted but not yet turned into alerts: a number that stays up means the
        # worker is not running (or is behind); failed ones are kept for someone to look at.
        context["inbox_waiting"] = inbox.pending()
        context["inbox_failed"] = inbox.failed()
        if context["inbox_failed"] and can_manage_plan(request.user):
            # What failed and why, for those who manage integrations (the alerts in a failed
            # request are not yet tied to an incident, so they are not shown to everyone).
            failed = inbox.failed_requests()
            names = dict(
                Integration.objects.filter(
                    pk__in={row.integration_id for row in failed}
                ).values_list("pk", "name")
            )
            context["failed_requests"] = [
                {"row": row, "integration": names.get(row.integration_id, "—")} for row in failed
            ]
    return render_page_or_fragment(
        request, "alerts/alerts.html", "alerts/_alert_rows.html", context
    )


def retry_inbound(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a request that failed to route back in line (after fixing what made it fail)."""
    _manager(request)
    if request.method == "POST":
        if inbox.retry_failed(pk):
            messages.success(
                request, gettext("Inbound request #%(id)s will be routed again.") % {"id": pk}
            )
        else:
            messages.error(request, gettext("No failed inbound request #%(id)s.") % {"id": pk})
    return redirect("alerts:list")


def integrations(request: HttpRequest) -> HttpResponse:
    manager = can_manage_plan(request.user)
    form = IntegrationForm(post_data(request) if manager else None, lang=ui_language())
    created: dict[str, Any] | None = None
    if request.method == "POST":
        user = _manager(request)
        if form.is_valid():
            try:
                integration, raw = configure.create_integration(
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    created_by=user,
                    **form.service_fields(),
                )
            except DomainError as error:
                show_domain_error(form, _template_field(error))
            else:
                created = _shown_once(integration, raw)
                form = IntegrationForm(lang=ui_language())
    return _integrations_page(request, form, created, manager)


def rotate_key(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    integration = get_object_or_404(Integration, pk=pk)
    if request.method != "POST":
        return redirect("alerts:integrations")
    raw = configure.rotate_key(integration)
    form = IntegrationForm(lang=ui_language())
    return _integrations_page(request, form, _shown_once(integration, raw), True)


def toggle_integration(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    integration = get_object_or_404(Integration, pk=pk)
    if request.method == "POST":
        configure.update_integration(integration, enabled=not integration.enabled)
        text = (
            gettext("Integration “%(name)s” enabled.")
            if integration.enabled
            else gettext("Integration “%(name)s” disabled: its key is refused.")
        )
        messages.success(request, text % {"name": integration.name})
    return redirect("alerts:integrations")


def routing(request: HttpRequest) -> HttpResponse:
    manager = can_manage_plan(request.user)
    form = RoutingRuleForm(post_data(request) if manager else None, lang=ui_language())
    if request.method == "POST":
        _manager(request)
        if form.is_valid():
            try:
                rule = configure.save_routing_rule(None, **form.service_fields())
            except DomainError as error:
                show_domain_error(form, _first_part(error))
            else:
                messages.success(
                    request,
                    gettext("Routing rule “%(name)s” added after the others.") % {"name": rule},
                )
                return redirect("alerts:routing")
    context = {
        "form": form,
        "manager": manager,
        "rules": list(
            RoutingRule.objects.select_related("integration", "system", "escalation_policy")
        ),
        "categories": form.category_names,
        "levels": form.level_names,
    }
    return render(request, "alerts/routing.html", context)


def edit_rule(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    form = RoutingRuleForm(
        post_data(request), lang=ui_language(), initial=RoutingRuleForm.initial_of(rule)
    )
    if form.is_valid():
        try:
            configure.save_routing_rule(rule, **form.service_fields())
        except DomainError as error:
            show_domain_error(form, _first_part(error))
        else:
            messages.success(request, gettext("Routing rule “%(name)s” saved.") % {"name": rule})
            return redirect("alerts:routing")
    context = {
        "form": form,
        "title": gettext("Edit routing rule “%(name)s”") % {"name": rule},
        "submit_label": gettext("Save"),
        "cancel_url": reverse("alerts:routing"),
    }
    return render(request, "core/form.html", context)


def delete_rule(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    if request.method == "POST":
        configure.delete_routing_rule(rule)
        messages.success(request, gettext("Routing rule “%(name)s” deleted.") % {"name": rule})
        return redirect("alerts:routing")
    return confirm_delete(
        request,
        question=gettext("Delete the routing rule “%(name)s”?") % {"name": rule},
        action=reverse("alerts:delete-rule", args=[rule.pk]),
        cancel_url=reverse("alerts:routing"),
        consequences=[
            gettext("Alerts it routes go to the next matching rule, or the integration's defaults.")
        ],
    )


def move_rule(request: HttpRequest, pk: int, *, up: bool) -> HttpResponse:
    _manager(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    if request.method == "POST":
        configure.move_routing_rule(rule, up=up)
    return redirect("alerts:routing")


def silences(request: HttpRequest) -> HttpResponse:
    manager = can_manage_plan(request.user)
    form = SilenceForm(post_data(request) if manager else None)
    if request.method == "POST":
        user = _manager(request)
        if form.is_valid():
            start, end = form.period()
            try:
                silence = configure.create_silence(
                    matchers=parse_matchers(form.cleaned_data["matchers"]),
                    starts_at=start,
                    ends_at=end,
                    comment=form.cleaned_data["comment"],
                    created_by=user,
                )
            except DomainError as error:
                show_domain_error(form, _first_part(error))
            else:
                messages.success(
                    request,
                    gettext("Silence #%(id)s added: matching alerts page nobody until %(end)s.")
                    % {"id": silence.pk, "end": silence.ends_at.strftime("%Y-%m-%d %H:%M")},
                )
                return redirect("alerts:silences")
    context = {
        "form": form,
        "manager": manager,
        "silences": list(queries.active_silences().order_by("starts_at", "id")),
    }
    return render(request, "alerts/silences.html", context)


def expire_silence(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    silence = get_object_or_404(Silence, pk=pk)
    if request.method == "POST":
        configure.expire_silence(silence)
        messages.success(request, gettext("Silence #%(id)s ended.") % {"id": silence.pk})
    return redirect("alerts:silences")


def maintenance(request: HttpRequest) -> HttpResponse:
    manager = can_manage_plan(request.user)
    form = MaintenanceForm(post_data(request) if manager else None)
    if request.method == "POST":
        user = _manager(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                window = configure.create_maintenance(
                    systems=data["systems"],
                    matchers=parse_matchers(data["matchers"]),
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    reason=data["reason"],
                    created_by=user,
                )
            except DomainError as error:
                show_domain_error(form, _first_part(error))
            else:
                messages.success(
                    request,
                    gettext("Maintenance window #%(id)s added.") % {"id": window.pk},
                )
                return redirect("alerts:maintenance")
    context = {
        "form": form,
        "manager": manager,
        "windows": list(queries.active_maintenance().order_by("starts_at", "id")),
    }
    return render(request, "alerts/maintenance.html", context)


def end_maintenance(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    if request.method == "POST":
        configure.end_maintenance(window)
        messages.success(request, gettext("Maintenance window #%(id)s ended.") % {"id": window.pk})
    return redirect("alerts:maintenance")


def _integrations_page(
    request: HttpRequest, form: IntegrationForm, created: dict[str, Any] | None, manager: bool
) -> HttpResponse:
    context = {
        "integrations": list(
            Integration.objects.select_related("default_system", "default_escalation_policy")
        ),
        "form": form,
        "created": created,
        "manager": manager,
    }
    response = render(request, "alerts/integrations.html", context)
    if created:
        # The key is in this page only: no cache or back button may show it again.
        response["Cache-Control"] = "no-store"
    return response


def _shown_once(integration: Integration, raw: str) -> dict[str, Any]:
    return {
        "integration": integration,
        "key": raw,
        "url": keys.webhook_url(integration.kind, raw),
        "pagerduty": integration.kind == "pagerduty",
    }


def _template_field(error: DomainError) -> DomainError:
    """'templates.title' names the form field 'title'."""
    if error.field.startswith("templates."):
        return DomainError(error.field.removeprefix("templates."), error.message)
    return error


def _first_part(error: DomainError) -> DomainError:
    """'matchers.1.value' names the form field 'matchers' (the message keeps the detail)."""
    head = error.field.split(".")[0]
    if head == error.field:
        return error
    return DomainError(head, f"{error.field}: {error.message}")
