"""Pages of the emergency team (plan §3): who holds which role, with backups, and a page per
person with their ways of being reached.

The commander, the deputy and administrators (can_manage_plan) change the team; a person
changes their own contact methods. Contact URLs may hold channel tokens, so only their owner
and those who manage the plan see them; others see the label and the kind of channel.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from warroom.core.web import confirm_delete, post_data, require, show_domain_error
from warroom.lib.errors import DomainError
from warroom.people import services
from warroom.people.access import can_manage_plan
from warroom.people.forms import (
    AddMemberForm,
    BackupForm,
    ContactMethodFormSet,
    contact_methods_initial,
    display_name,
    kept_forms,
    people,
)
from warroom.people.models import Department, Profile, TeamMembership, TeamRole

User = get_user_model()


def team(request: HttpRequest) -> HttpResponse:
    manage = can_manage_plan(request.user)
    return _team_page(request, manage=manage, add_form=AddMemberForm() if manage else None)


def _team_page(
    request: HttpRequest, *, manage: bool, add_form: AddMemberForm | None
) -> HttpResponse:
    roles = (
        TeamRole.objects.filter(in_plan=True)
        .select_related("department")
        .prefetch_related("memberships__person", "memberships__backup")
    )
    context = {
        "roles": roles,
        "departments": Department.objects.filter(in_plan=True),
        "people": people().select_related("profile__department"),
        "manage": manage,
        "add_form": add_form,
    }
    return render(request, "people/team.html", context)


def member_add(request: HttpRequest) -> HttpResponse:
    require(can_manage_plan(request.user))
    form = AddMemberForm(post_data(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_team_member(data["role"], data["person"], backup=data["backup"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                gettext("%(person)s now holds the role “%(role)s”.")
                % {"person": display_name(data["person"]), "role": data["role"].name},
            )
            return redirect("people:team")
    return _team_page(request, manage=True, add_form=form)


def member_backup(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        TeamMembership.objects.select_related("role", "person", "backup"), pk=pk
    )
    require(can_manage_plan(request.user))
    form = BackupForm(post_data(request), initial={"backup": membership.backup_id})
    if form.is_valid():
        try:
            services.set_backup(membership, form.cleaned_data["backup"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                gettext("Backup for %(person)s as “%(role)s” saved.")
                % {"person": display_name(membership.person), "role": membership.role.name},
            )
            return redirect("people:team")
    title = gettext("Backup for %(person)s as “%(role)s”") % {
        "person": display_name(membership.person),
        "role": membership.role.name,
    }
    context = {
        "form": form,
        "title": title,
        "intro": gettext("The backup stands in when the holder cannot be reached."),
        "submit_label": gettext("Save"),
        "cancel_url": reverse("people:team"),
    }
    return render(request, "core/form.html", context)


def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(TeamMembership.objects.select_related("role", "person"), pk=pk)
    require(can_manage_plan(request.user))
    names = {"person": display_name(membership.person), "role": membership.role.name}
    if request.method == "POST":
        services.remove_team_member(membership)
        messages.success(request, gettext("%(person)s no longer holds “%(role)s”.") % names)
        return redirect("people:team")
    return confirm_delete(
        request,
        question=gettext("Remove %(person)s from the role “%(role)s”?") % names,
        action=reverse("people:member-remove", args=[membership.pk]),
        cancel_url=reverse("people:team"),
        confirm_label=gettext("Remove"),
    )


def person(request: HttpRequest, pk: int) -> HttpResponse:
    someone = get_object_or_404(User, pk=pk)
    is_self = request.user.pk == someone.pk
    context = {
        "person": someone,
        "profile": Profile.objects.filter(user=someone).select_related("department").first(),
        "holds": TeamMembership.objects.filter(person=someone).select_related(
            "role__department", "backup"
        ),
        "backs_up": TeamMembership.objects.filter(backup=someone).select_related(
            "role__department", "person"
        ),
        "methods": someone.contact_methods.all(),
        "show_urls": is_self or can_manage_plan(request.user),
        "is_self": is_self,
    }
    return render(request, "people/person.html", context)


_METHOD_FIELD = re.compile(r"^contact_methods\[(\d+)\]\.(label|url)$")


def contact_methods(request: HttpRequest, pk: int) -> HttpResponse:
    someone = get_object_or_404(User, pk=pk)
    # Only the person: the URLs are their own channels, and the page shows them.
    require(request.user.pk == someone.pk)
    if request.method == "POST":
        # No initial data here: a row equal to its initial value would count as unchanged
        # and be dropped, so every submitted row is read as it stands.
        formset = ContactMethodFormSet(request.POST, prefix="methods")
    else:
        initial = contact_methods_initial(list(someone.contact_methods.all()))
        formset = ContactMethodFormSet(initial=initial, prefix="methods")
    if formset.is_valid():
        kept = kept_forms(formset)
        try:
            services.set_contact_methods(
                someone,
                [{"label": f.cleaned_data["label"], "url": f.cleaned_data["url"]} for f in kept],
            )
        except DomainError as error:
            # The service counts only the rows it was given; find the row on the page.
            match = _METHOD_FIELD.match(error.field)
            if match:
                kept[int(match[1])].add_error(match[2], error.message)
            else:
                formset.forms[0].add_error(None, str(error))
        else:
            messages.success(request, gettext("Your contact methods are saved."))
            return redirect("people:person", pk=someone.pk)
    return render(request, "people/contact_methods.html", {"person": someone, "formset": formset})
