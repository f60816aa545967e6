"""Pages of drills: the calendar, one drill with its injects and findings, its report.

Everyone signed in reads them (drills are how the whole team learns the plan); only the people
who manage the plan (`can_manage_plan`) plan, edit, start and finish drills — others get 403.
Every view: parse → authorise → one service → render or redirect.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warroom.core.web import post_data, require, show_domain_error, ui_language
from warroom.drills import queries, report, services
from warroom.drills.forms import DrillForm, FindingForm, InjectForm, ScheduleForm
from warroom.drills.models import Drill, Finding, Inject
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError
from warroom.people.access import can_manage_plan
from warroom.plan.queries import current_plan


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every page here needs a signed-in user
    return request.user


def _drill(pk: int) -> Drill:
    return get_object_or_404(Drill.objects.select_related("plan_version", "created_by"), pk=pk)


def drill_list(request: HttpRequest) -> HttpResponse:
    can_manage = can_manage_plan(request.user)
    state = queries.calendar_state()
    due = state.next_due
    context = {
        "overdue": state.overdue,
        "next_due": due,
        "running": list(queries.running()),
        "upcoming": list(queries.upcoming()),
        "past": list(queries.past()),
        "findings": list(queries.open_findings()),
        "today": timezone.localdate(),
        "can_manage": can_manage,
        "schedule_form": ScheduleForm(
            initial={"from_date": max(due or timezone.localdate(), timezone.localdate())}
        )
        if can_manage
        else None,
    }
    return render(request, "drills/list.html", context)


def drill_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_plan(request.user))
    form = DrillForm(post_data(request), plan=current_plan())
    if request.method == "POST" and form.is_valid():
        try:
            drill = services.create_drill(actor=_user(request), **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return redirect("drills:detail", drill.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("New drill"),
            "intro": _(
                "A drill of one of the plan's scenarios; it starts with the scenario's "
                "alert, and you can add injects before it runs."
            ),
            "submit_label": _("Plan the drill"),
            "cancel_url": reverse("drills:list"),
        },
    )


@require_POST
def drill_schedule(request: HttpRequest) -> HttpResponse:
    require(can_manage_plan(request.user))
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the first day and how many drills (1 to 20)."))
        return redirect("drills:list")
    try:
        made = services.schedule_drills(actor=_user(request), **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d drills are on the calendar.") % {"n": len(made)})
    return redirect("drills:list")


def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _drill(pk)
    can_manage = can_manage_plan(request.user)
    planned = drill.status == Drill.Status.PLANNED
    injects = list(drill.injects.select_related("system", "incident").order_by("offset_seconds"))
    incident_ids = queries.drill_incidents(drill)
    context = {
        "drill": drill,
        "injects": injects,
        "incidents": list(Incident.objects.filter(pk__in=incident_ids).order_by("pk")),
        "findings": list(drill.findings.select_related("owner").order_by("due_date", "id")),
        "can_manage": can_manage,
        "inject_form": InjectForm() if can_manage and planned else None,
        "finding_form": FindingForm() if can_manage and not planned else None,
        "today": timezone.localdate(),
    }
    return render(request, "drills/detail.html", context)


def _inject_fields(form: InjectForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


def inject_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_plan(request.user))
    drill = _drill(pk)
    form = InjectForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_inject(drill, actor=_user(request), **_inject_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return redirect("drills:detail", drill.pk)
    return _inject_page(request, drill, form, _("New inject"))


def inject_edit(request: HttpRequest, pk: int, inject_id: int) -> HttpResponse:
    require(can_manage_plan(request.user))
    drill = _drill(pk)
    inject = get_object_or_404(Inject, pk=inject_id, drill=drill)
    initial = {
        "kind": inject.kind,
        "offset_seconds": inject.offset_seconds,
        "title": inject.title,
        "description": inject.description,
        "system": inject.system,
        "category": inject.category,
        "level": inject.level,
        "payload": json.dumps(inject.payload, indent=2, ensure_ascii=False)
        if inject.payload
        else "",
    }
    form = InjectForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inject(inject, actor=_user(request), **_inject_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return redirect("drills:detail", drill.pk)
    return _inject_page(request, drill, form, _("Edit inject"))


def _inject_page(request: HttpRequest, drill: Drill, form: InjectForm, title: str) -> HttpResponse:
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": title,
            "intro": _(
                "An alert is posted to the drills integration's real webhook; a report "
                "is filed as a person would file it. Both open drill incidents."
            ),
            "submit_label": _("Save"),
            "cancel_url": reverse("drills:detail", args=[drill.pk]),
        },
    )


@require_POST
def inject_delete(request: HttpRequest, pk: int, inject_id: int) -> HttpResponse:
    require(can_manage_plan(request.user))
    inject = get_object_or_404(Inject, pk=inject_id, drill_id=pk)
    try:
        services.delete_inject(inject, actor=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("drills:detail", pk)


ACTIONS = {
    "start": services.start_drill,
    "finish": services.finish_drill,
    "cancel": services.cancel_drill,
}


@require_POST
def drill_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(can_manage_plan(request.user))
    service = ACTIONS.get(action)
    if service is None:
        raise Http404
    drill = _drill(pk)
    try:
        service(drill, actor=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    if action == "finish" and drill.status == Drill.Status.FINISHED:
        return redirect("drills:report", drill.pk)
    return redirect("drills:detail", drill.pk)


@require_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_plan(request.user))
    drill = _drill(pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.add_finding(drill, actor=_user(request), **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Write the finding."))
    return redirect("drills:detail", drill.pk)


@require_POST
def finding_status(request: HttpRequest, pk: int, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("owner"), pk=finding_id, drill_id=pk)
    try:
        services.set_finding_status(
            finding, actor=request.user, status=request.POST.get("status", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    # Back to the list when it was ticked off there, else to the drill.
    if request.POST.get("next") == "list":
        return redirect("drills:list")
    return redirect("drills:detail", pk)


def drill_report(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _drill(pk)
    lang = ui_language()
    document = report.build_document(drill, lang=lang)
    context = {
        "drill": drill,
        "doc": document,
        "formats": report.formats(),
        "pdf": report.pdf_available(),
    }
    return render(request, "drills/report.html", context)


def drill_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    drill = _drill(pk)
    lang = request.GET.get("lang") or ui_language()
    try:
        exported = report.export_drill_report(drill, fmt=fmt, lang=lang)
    except ValueError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(exported.content, content_type=exported.content_type)
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{exported.filename}"'
    return response
