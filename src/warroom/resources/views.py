"""Pages of the emergency inventory (plan §5) and the outside help (plan §4.4).

A resource is changed by its department's representatives, the commander, the deputy or an
administrator; outside contacts serve every department, so any member of the team keeps them.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from warroom.core.web import (
    confirm_delete,
    is_htmx,
    post_data,
    require,
    show_domain_error,
    ui_language,
)
from warroom.lib.errors import DomainError
from warroom.people.rights import EditRights, edit_rights
from warroom.plan.queries import choices
from warroom.resources import services
from warroom.resources.forms import ContactForm, ResourceForm, ResourceStateForm
from warroom.resources.models import ExternalContact, Resource


def _resources() -> QuerySet[Resource]:
    return Resource.objects.select_related("department", "custodian")


def inventory(request: HttpRequest) -> HttpResponse:
    rows = list(_resources())
    rights = edit_rights(request.user)
    context = {
        "items": rows,
        "materials": dict(choices("materials", ui_language())),
        "rights": rights,
        "editable": {r.pk for r in rows if rights.department(r.department_id)},
        "states": Resource.STATE_CHOICES,
    }
    return render(request, "resources/inventory.html", context)


def resource_create(request: HttpRequest) -> HttpResponse:
    rights = edit_rights(request.user)
    require(rights.team_member)
    form = ResourceForm(post_data(request), lang=ui_language())
    if form.is_valid():
        require(rights.department(form.cleaned_data["department"]))
        try:
            resource = services.save_resource(None, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Resource “%(name)s” added.") % {"name": resource})
            return redirect("resources:inventory")
    return _form_page(request, form, gettext("New resource"), gettext("Add resource"))


def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    rights = edit_rights(request.user)
    require(rights.department(resource.department_id))
    form = ResourceForm(
        post_data(request), lang=ui_language(), initial=ResourceForm.initial_of(resource)
    )
    if form.is_valid():
        # Handing the resource to another department needs the right to edit that one too.
        require(rights.department(form.cleaned_data["department"]))
        try:
            services.save_resource(resource, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Resource “%(name)s” saved.") % {"name": resource})
            return redirect("resources:inventory")
    title = gettext("Edit resource “%(name)s”") % {"name": resource.name}
    return _form_page(request, form, title, gettext("Save"))


@require_POST
def resource_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Change only the state (available, allocated, maintenance, retired). From htmx the
    answer is the item's row, so the table updates in place; otherwise back to the list."""
    resource = get_object_or_404(_resources(), pk=pk)
    rights = edit_rights(request.user)
    require(rights.department(resource.department_id))
    form = ResourceStateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.save_resource(resource, state=form.cleaned_data["state"])
        except DomainError as exc:
            error = exc.message
            resource.refresh_from_db(fields=["state"])
    else:
        error = "; ".join(str(e) for e in form.errors["state"])
    if is_htmx(request):
        context = {
            "r": resource,
            "materials": dict(choices("materials", ui_language())),
            "editable": {resource.pk},
            "states": Resource.STATE_CHOICES,
            "state_error": error,
        }
        return render(request, "resources/_resource_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            gettext("“%(name)s” is now: %(state)s.")
            % {"name": resource.name, "state": resource.get_state_display()},
        )
    return redirect("resources:inventory")


def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    require(edit_rights(request.user).department(resource.department_id))
    if request.method == "POST":
        services.delete_resource(resource)
        messages.success(request, gettext("Resource “%(name)s” deleted.") % {"name": resource})
        return redirect("resources:inventory")
    return confirm_delete(
        request,
        question=gettext("Delete the resource “%(name)s”?") % {"name": resource.name},
        action=reverse("resources:resource-delete", args=[resource.pk]),
        cancel_url=reverse("resources:inventory"),
    )


def contacts(request: HttpRequest) -> HttpResponse:
    rights = edit_rights(request.user)
    context = {"contacts": ExternalContact.objects.all(), "can_edit": rights.team_member}
    return render(request, "resources/contacts.html", context)


def _may_edit_contacts(rights: EditRights) -> None:
    # Outside contacts serve every department: any member of the team keeps them current.
    require(rights.team_member)


def contact_create(request: HttpRequest) -> HttpResponse:
    _may_edit_contacts(edit_rights(request.user))
    form = ContactForm(post_data(request))
    if form.is_valid():
        try:
            contact = services.save_contact(None, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Contact “%(name)s” added.") % {"name": contact})
            return redirect("resources:contacts")
    return _form_page(
        request,
        form,
        gettext("New outside contact"),
        gettext("Add contact"),
        reverse("resources:contacts"),
    )


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(ExternalContact, pk=pk)
    _may_edit_contacts(edit_rights(request.user))
    form = ContactForm(post_data(request), initial=ContactForm.initial_of(contact))
    if form.is_valid():
        try:
            services.save_contact(contact, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Contact “%(name)s” saved.") % {"name": contact})
            return redirect("resources:contacts")
    title = gettext("Edit contact “%(name)s”") % {"name": contact.name}
    return _form_page(request, form, title, gettext("Save"), reverse("resources:contacts"))


def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(ExternalContact, pk=pk)
    _may_edit_contacts(edit_rights(request.user))
    if request.method == "POST":
        services.delete_contact(contact)
        messages.success(request, gettext("Contact “%(name)s” deleted.") % {"name": contact})
        return redirect("resources:contacts")
    return confirm_delete(
        request,
        question=gettext("Delete the outside contact “%(name)s”?") % {"name": contact.name},
        action=reverse("resources:contact-delete", args=[contact.pk]),
        cancel_url=reverse("resources:contacts"),
    )


def _form_page(
    request: HttpRequest,
    form: ResourceForm | ContactForm,
    title: str,
    submit: str,
    cancel: str | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit_label": submit,
        "cancel_url": cancel or reverse("resources:inventory"),
    }
    return render(request, "core/form.html", context)
