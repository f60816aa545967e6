"""Pages of the catalog (plan §1.2) and the risk register (plan §2).

Each view parses, authorises (the owning department's representatives, the commander, the
deputy or an administrator may change a system and its risks), calls one service and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from warroom.catalog import queries, services
from warroom.catalog.forms import RiskFilterForm, RiskForm, SystemFilterForm, SystemForm
from warroom.catalog.models import Risk, System
from warroom.core.web import (
    confirm_delete,
    post_data,
    render_page_or_fragment,
    require,
    show_domain_error,
    ui_language,
)
from warroom.lib.errors import DomainError
from warroom.people.rights import edit_rights
from warroom.plan.queries import choices


def systems(request: HttpRequest) -> HttpResponse:
    kinds = choices("system_kinds", ui_language())
    filters = SystemFilterForm(request.GET, kinds=kinds)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
    items = queries.systems()
    if kind:
        items = items.filter(kind=kind)
    rows = list(items)
    rights = edit_rights(request.user)
    context = {
        "systems": rows,
        "kinds": dict(kinds),
        "filters": filters,
        "rights": rights,
        "editable": {s.pk for s in rows if rights.department(s.owner_department_id)},
    }
    return render_page_or_fragment(
        request, "catalog/systems.html", "catalog/_system_rows.html", context
    )


def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(queries.systems(), pk=pk)
    direct, indirect = queries.at_risk_if_fails(system)
    lang = ui_language()
    return render(
        request,
        "catalog/system_detail.html",
        {
            "system": system,
            "kinds": dict(choices("system_kinds", lang)),
            "categories": dict(choices("risk_categories", lang)),
            "levels": dict(choices("impact_levels", lang)),
            "at_risk_direct": direct,
            "at_risk_indirect": indirect,
            "risks": system.risks.select_related("owner"),
            "today": timezone.localdate(),
            "can_edit": edit_rights(request.user).department(system.owner_department_id),
        },
    )


def system_create(request: HttpRequest) -> HttpResponse:
    rights = edit_rights(request.user)
    require(rights.team_member)
    form = SystemForm(post_data(request), lang=ui_language())
    if form.is_valid():
        require(rights.department(form.cleaned_data["owner_department"]))
        try:
            system = services.save_system(
                None, depends_on=form.cleaned_data["depends_on"], **form.fields_for_service()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("System “%(name)s” added.") % {"name": system})
            return redirect("catalog:system", pk=system.pk)
    return _form_page(
        request, form, gettext("New system"), gettext("Add system"), reverse("catalog:systems")
    )


def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(queries.systems(), pk=pk)
    rights = edit_rights(request.user)
    require(rights.department(system.owner_department_id))
    form = SystemForm(
        post_data(request), lang=ui_language(), system=system, initial=SystemForm.initial_of(system)
    )
    if form.is_valid():
        # Handing the system to another department needs the right to edit that one too.
        require(rights.department(form.cleaned_data["owner_department"]))
        try:
            services.save_system(
                system, depends_on=form.cleaned_data["depends_on"], **form.fields_for_service()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("System “%(name)s” saved.") % {"name": system})
            return redirect("catalog:system", pk=system.pk)
    title = gettext("Edit system “%(name)s”") % {"name": system.name}
    cancel = reverse("catalog:system", args=[system.pk])
    return _form_page(request, form, title, gettext("Save"), cancel)


def system_delete(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(System, pk=pk)
    require(edit_rights(request.user).department(system.owner_department_id))
    if request.method == "POST":
        services.delete_system(system)
        messages.success(request, gettext("System “%(name)s” deleted.") % {"name": system})
        return redirect("catalog:systems")
    risk_count = system.risks.count()
    dependents = system.dependents.count()
    consequences = []
    if risk_count:
        consequences.append(
            ngettext(
                "Its %(n)d risk is deleted with it.",
                "Its %(n)d risks are deleted with it.",
                risk_count,
            )
            % {"n": risk_count}
        )
    if dependents:
        consequences.append(
            ngettext(
                "%(n)d system depends on it and loses that dependency.",
                "%(n)d systems depend on it and lose that dependency.",
                dependents,
            )
            % {"n": dependents}
        )
    return confirm_delete(
        request,
        question=gettext("Delete the system “%(name)s”?") % {"name": system.name},
        action=reverse("catalog:system-delete", args=[system.pk]),
        cancel_url=reverse("catalog:system", args=[system.pk]),
        consequences=consequences,
    )


def risks(request: HttpRequest) -> HttpResponse:
    lang = ui_language()
    filters = RiskFilterForm(request.GET)
    overdue = filters.is_valid() and filters.cleaned_data["overdue"]
    items = queries.overdue_risks() if overdue else queries.risks()
    rows = list(items.order_by(*filters.ordering()))
    rights = edit_rights(request.user)
    context = {
        "risks": rows,
        "today": timezone.localdate(),
        "categories": dict(choices("risk_categories", lang)),
        "levels": dict(choices("impact_levels", lang)),
        "filters": filters,
        "rights": rights,
        "editable": {r.pk for r in rows if rights.department(r.system.owner_department_id)},
    }
    return render_page_or_fragment(
        request, "catalog/risks.html", "catalog/_risk_rows.html", context
    )


def risk_create(request: HttpRequest) -> HttpResponse:
    rights = edit_rights(request.user)
    require(rights.team_member)
    initial = {"system": request.GET.get("system")} if request.GET.get("system") else {}
    form = RiskForm(post_data(request), lang=ui_language(), initial=initial)
    if form.is_valid():
        require(rights.department(form.cleaned_data["system"].owner_department_id))
        try:
            risk = services.save_risk(None, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Risk “%(title)s” added.") % {"title": risk.title})
            return redirect("catalog:system", pk=risk.system_id)
    return _form_page(
        request, form, gettext("New risk"), gettext("Add risk"), reverse("catalog:risks")
    )


def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.select_related("system"), pk=pk)
    rights = edit_rights(request.user)
    require(rights.department(risk.system.owner_department_id))
    form = RiskForm(post_data(request), lang=ui_language(), initial=RiskForm.initial_of(risk))
    if form.is_valid():
        # Moving the risk to another system needs the right to edit that system too.
        require(rights.department(form.cleaned_data["system"].owner_department_id))
        try:
            services.save_risk(risk, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Risk “%(title)s” saved.") % {"title": risk.title})
            return redirect("catalog:system", pk=risk.system_id)
    title = gettext("Edit risk “%(title)s”") % {"title": risk.title}
    return _form_page(request, form, title, gettext("Save"), reverse("catalog:risks"))


def risk_delete(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.select_related("system"), pk=pk)
    require(edit_rights(request.user).department(risk.system.owner_department_id))
    if request.method == "POST":
        services.delete_risk(risk)
        messages.success(request, gettext("Risk “%(title)s” deleted.") % {"title": risk.title})
        return redirect("catalog:risks")
    return confirm_delete(
        request,
        question=gettext("Delete the risk “%(title)s” of %(system)s?")
        % {"title": risk.title, "system": risk.system.name},
        action=reverse("catalog:risk-delete", args=[risk.pk]),
        cancel_url=reverse("catalog:risks"),
    )


def _form_page(
    request: HttpRequest, form: SystemForm | RiskForm, title: str, submit: str, cancel: str
) -> HttpResponse:
    context = {"form": form, "title": title, "submit_label": submit, "cancel_url": cancel}
    return render(request, "core/form.html", context)
