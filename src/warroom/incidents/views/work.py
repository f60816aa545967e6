"""The work of the response (plan §4.3–4.6): tasks and their checklists, records (restores,
the leak assessment, legal's decision, user updates), resources and outside help, the
recovery checklist, the report draft and its action items. Each: parse → find the incident
the viewer may see → one service → answer with the section it changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from warroom.incidents import forms as f
from warroom.incidents import services
from warroom.incidents.models import (
    ActionItem,
    CheckItem,
    OutsideHelp,
    RecoveryItem,
    ResourceAllocation,
    Task,
)
from warroom.incidents.views.base import act, load

# Tasks


@require_POST
def task(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    page = load(request, pk)
    row = get_object_or_404(Task, pk=task_id, incident=page.incident)
    row.incident = page.incident
    form = f.TaskForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        person = data["assignee"]
        # Only what changed, so the timeline says what was done.
        unchanged = (person.pk if person else None) == row.assignee_id
        services.update_task(
            row,
            actor=page.user,
            status=data["status"],
            assignee=False if unchanged else person,
            notes=None if data["notes"] == row.notes else data["notes"],
        )

    done = gettext("Task “%(task)s” saved.") % {"task": row.title}
    return act(page, "tasks", call, done=done, form=form)


@require_POST
def check(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    page = load(request, pk)
    item = get_object_or_404(
        CheckItem.objects.select_related("task"), pk=item_id, task__incident=page.incident
    )
    item.task.incident = page.incident
    form = f.CheckForm(request.POST)

    def call() -> None:
        services.check_item(item, actor=page.user, done=form.cleaned_data["done"])

    return act(page, "tasks", call, done=gettext("Checklist saved."), form=form)


# Records


@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.RestoreForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.record_restore(
            page.incident,
            actor=page.user,
            system=data["system"],
            backup_ref=data["backup_ref"],
            verified=data["verified"],
            notes=data["notes"],
        )

    done = gettext("Restore recorded.")
    return act(page, "records", call, done=done, form=form, form_name="restore")


@require_POST
def leak(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.LeakForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.record_leak_assessment(
            page.incident,
            actor=page.user,
            data_kinds=data["data_kinds"],
            records_affected=data["records_affected"],
            hole=data["hole"],
            hole_closed_at=data["hole_closed_at"],
        )

    done = gettext("Leak assessment recorded.")
    return act(page, "records", call, done=done, form=form, form_name="leak")


@require_POST
def legal(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.LegalForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.record_legal_decision(
            page.incident,
            actor=page.user,
            notify_authorities=data["notify_authorities"],
            notify_users=data["notify_users"],
            reasoning=data["reasoning"],
        )

    done = gettext("Legal decision recorded.")
    return act(page, "records", call, done=done, form=form, form_name="legal")


@require_POST
def user_update(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.UserUpdateForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.post_user_update(
            page.incident, actor=page.user, text=data["text"], eta=data["eta"]
        )

    done = gettext("User update posted.")
    return act(page, "records", call, done=done, form=form, form_name="user_update")


# Logistics


@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.AllocateForm(request.POST)

    def call() -> None:
        services.allocate_resource(
            page.incident, actor=page.user, resource=form.cleaned_data["resource"]
        )

    done = gettext("Resource allocated.")
    return act(page, "logistics", call, done=done, form=form, form_name="allocate")


@require_POST
def release(request: HttpRequest, pk: int, allocation_id: int) -> HttpResponse:
    page = load(request, pk)
    allocation = get_object_or_404(
        ResourceAllocation.objects.select_related("resource"),
        pk=allocation_id,
        incident=page.incident,
    )
    allocation.incident = page.incident

    def call() -> None:
        services.release_resource(allocation, actor=page.user)

    return act(page, "logistics", call, done=gettext("Resource released."))


@require_POST
def outside_help(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.OutsideHelpForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.request_outside_help(
            page.incident, actor=page.user, contact=data["contact"], asked=data["asked"]
        )

    done = gettext("Request for outside help recorded.")
    return act(page, "logistics", call, done=done, form=form, form_name="outside_help")


@require_POST
def outside_outcome(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    page = load(request, pk)
    row = get_object_or_404(
        OutsideHelp.objects.select_related("contact"), pk=request_id, incident=page.incident
    )
    row.incident = page.incident
    form = f.OutcomeForm(request.POST)

    def call() -> None:
        services.record_outside_outcome(row, actor=page.user, outcome=form.cleaned_data["outcome"])

    return act(page, "logistics", call, done=gettext("Outcome recorded."), form=form)


# Recovery


@require_POST
def sign(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    page = load(request, pk)
    item = get_object_or_404(
        RecoveryItem.objects.select_related("system"), pk=item_id, incident=page.incident
    )
    item.incident = page.incident
    form = f.SignForm(request.POST)

    def call() -> None:
        services.sign_recovery_item(item, actor=page.user, notes=form.cleaned_data["notes"])

    done = gettext("“%(item)s” signed.") % {"item": item.title}
    return act(page, "recovery", call, done=done, form=form)


# The review


@require_POST
def edit_report(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.ReportEditForm(request.POST)

    def call() -> None:
        services.update_report(page.incident, actor=page.user, **form.cleaned_data)

    done = gettext("Report saved.")
    return act(page, "report", call, done=done, form=form, form_name="report")


@require_POST
def add_action_item(request: HttpRequest, pk: int) -> HttpResponse:
    page = load(request, pk)
    form = f.ActionItemForm(request.POST)

    def call() -> None:
        data = form.cleaned_data
        services.add_action_item(
            page.incident,
            actor=page.user,
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            plan_change=data["plan_change"],
        )

    done = gettext("Action item added.")
    return act(page, "report", call, done=done, form=form, form_name="action_item")


@require_POST
def action_status(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    page = load(request, pk)
    item = get_object_or_404(ActionItem, pk=item_id, incident=page.incident)
    item.incident = page.incident
    form = f.ActionStatusForm(request.POST)

    def call() -> None:
        services.set_action_status(item, actor=page.user, status=form.cleaned_data["status"])

    return act(page, "report", call, done=gettext("Action item saved."), form=form)
