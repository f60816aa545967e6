"""Pages of the on-call schedules, and their two public calendar feeds.

Everyone signed in sees who is on call; the commander, the deputy and administrators
(`can_manage_plan`) change schedules, layers and overrides. A schedule's page shows its times
in the schedule's own time zone, and reads the times typed into its forms in that zone too.

The feeds are public by design: calendar apps cannot sign in, so the secret token in the URL
is the key. An unknown token is a 404, and either token can be rotated.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from warroom.core.web import confirm_delete, post_data, require, show_domain_error
from warroom.lib.errors import DomainError
from warroom.oncall import feeds, queries, services
from warroom.oncall.forms import LayerForm, OverrideForm, ScheduleForm
from warroom.oncall.models import Layer, LayerMember, Override, PersonFeed, Schedule
from warroom.people.access import can_manage_plan
from warroom.people.models import Profile

UPCOMING = dt.timedelta(days=14)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every page but the feeds needs a signed-in user
    return request.user


def _feed_url(request: HttpRequest, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(name, args=[token]))


def schedules(request: HttpRequest) -> HttpResponse:
    rows = queries.on_call_now_everywhere()
    feed = PersonFeed.objects.filter(user=_user(request)).first()
    context = {
        "rows": rows,
        "can_manage": can_manage_plan(request.user),
        "my_feed_url": _feed_url(request, "oncall:feed-person", feed.token) if feed else "",
    }
    return render(request, "oncall/schedules.html", context)


def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    now = timezone.now()
    members = LayerMember.objects.select_related("user").order_by("position")
    layers = schedule.layers.order_by("-position").prefetch_related(
        Prefetch("members", queryset=members)
    )
    can_manage = can_manage_plan(request.user)
    with timezone.override(schedule.zone):
        context = {
            "schedule": schedule,
            "now": queries.status(schedule, now),
            "shifts": queries.whole_shifts(schedule, now, now + UPCOMING),
            "layers": list(layers),
            "overrides": list(
                schedule.overrides.filter(ends_at__gt=now)
                .select_related("user", "created_by")
                .order_by("starts_at")
            ),
            "can_manage": can_manage,
            "feed_url": _feed_url(request, "oncall:feed-schedule", schedule.feed_token),
            "override_form": OverrideForm() if can_manage else None,
        }
        return render(request, "oncall/schedule_detail.html", context)


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    title: str,
    submit: str,
    cancel: str,
    intro: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit_label": submit,
        "cancel_url": cancel,
        "intro": intro,
    }
    return render(request, "core/form.html", context)


def schedule_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_plan(request.user))
    form = ScheduleForm(
        post_data(request), initial={"time_zone": timezone.get_default_timezone_name()}
    )
    if form.is_valid():
        try:
            schedule = services.create_schedule(**form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Schedule “%(name)s” added.") % {"name": schedule})
            return redirect("oncall:schedule", pk=schedule.pk)
    return _form_page(
        request,
        form,
        gettext("New on-call schedule"),
        gettext("Add schedule"),
        reverse("oncall:list"),
    )


def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    require(can_manage_plan(request.user))
    initial = {f: getattr(schedule, f) for f in services.SCHEDULE_FIELDS}
    form = ScheduleForm(post_data(request), initial=initial)
    if form.is_valid():
        try:
            services.update_schedule(schedule, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, gettext("Schedule “%(name)s” saved.") % {"name": schedule})
            return redirect("oncall:schedule", pk=schedule.pk)
    title = gettext("Edit schedule “%(name)s”") % {"name": schedule.name}
    cancel = reverse("oncall:schedule", args=[schedule.pk])
    return _form_page(request, form, title, gettext("Save"), cancel)


def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    require(can_manage_plan(request.user))
    if request.method == "POST":
        services.delete_schedule(schedule)
        messages.success(request, gettext("Schedule “%(name)s” deleted.") % {"name": schedule})
        return redirect("oncall:list")
    return confirm_delete(
        request,
        question=gettext("Delete the schedule “%(name)s”?") % {"name": schedule.name},
        action=reverse("oncall:schedule-delete", args=[schedule.pk]),
        cancel_url=reverse("oncall:schedule", args=[schedule.pk]),
        consequences=[
            gettext("Its layers and overrides are deleted with it, and its calendar feed stops.")
        ],
    )


@require_POST
def schedule_rotate_feed(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    require(can_manage_plan(request.user))
    services.rotate_schedule_feed(schedule)
    messages.success(request, gettext("New calendar link made; the old one no longer works."))
    return redirect("oncall:schedule", pk=schedule.pk)


@require_POST
def person_feed_rotate(request: HttpRequest) -> HttpResponse:
    """Make the signed-in person's calendar link, or replace it with a new one."""
    had_feed = PersonFeed.objects.filter(user=_user(request)).exists()
    services.rotate_person_feed(_user(request))
    if had_feed:
        messages.success(request, gettext("New calendar link made; the old one no longer works."))
    else:
        messages.success(request, gettext("Your calendar link is ready."))
    return redirect("oncall:list")


def _layer_form(request: HttpRequest, schedule: Schedule, layer: Layer | None) -> HttpResponse:
    require(can_manage_plan(request.user))
    initial = LayerForm.initial_of(layer) if layer else {"handoff_time": dt.time(9, 0)}
    form = LayerForm(post_data(request), initial=initial)
    if form.is_valid():
        try:
            members = services.resolve_people(form.usernames())
            if layer is None:
                layer = services.create_layer(
                    schedule, members=members, **form.fields_for_service()
                )
            else:
                services.update_layer(layer, members=members, **form.fields_for_service())
        except DomainError as error:
            if error.field.startswith("members"):
                form.add_error("members", error.message)
            else:
                show_domain_error(form, error)
        else:
            messages.success(request, gettext("Layer “%(name)s” saved.") % {"name": layer.name})
            return redirect("oncall:schedule", pk=schedule.pk)
    if layer is None:
        title = gettext("New layer of “%(schedule)s”") % {"schedule": schedule.name}
    else:
        title = gettext("Edit layer “%(name)s”") % {"name": layer.name}
    intro = gettext("Handoff times are in %(zone)s.") % {"zone": schedule.time_zone}
    cancel = reverse("oncall:schedule", args=[schedule.pk])
    return _form_page(request, form, title, gettext("Save"), cancel, intro)


def layer_create(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    return _layer_form(request, schedule, None)


def layer_edit(request: HttpRequest, pk: int, layer_pk: int) -> HttpResponse:
    layer = get_object_or_404(Layer.objects.select_related("schedule"), pk=layer_pk, schedule_id=pk)
    return _layer_form(request, layer.schedule, layer)


def layer_delete(request: HttpRequest, pk: int, layer_pk: int) -> HttpResponse:
    layer = get_object_or_404(Layer.objects.select_related("schedule"), pk=layer_pk, schedule_id=pk)
    require(can_manage_plan(request.user))
    if request.method == "POST":
        services.delete_layer(layer)
        messages.success(request, gettext("Layer “%(name)s” deleted.") % {"name": layer.name})
        return redirect("oncall:schedule", pk=pk)
    return confirm_delete(
        request,
        question=gettext("Delete the layer “%(name)s”?") % {"name": layer.name},
        action=reverse("oncall:layer-delete", args=[pk, layer.pk]),
        cancel_url=reverse("oncall:schedule", args=[pk]),
    )


def override_create(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    require(can_manage_plan(request.user))
    with timezone.override(schedule.zone):
        form = OverrideForm(post_data(request))
        if form.is_valid():
            try:
                services.create_override(schedule, created_by=_user(request), **form.cleaned_data)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, gettext("Override added."))
                return redirect("oncall:schedule", pk=schedule.pk)
        title = gettext("New override in “%(schedule)s”") % {"schedule": schedule.name}
        intro = gettext("Times are in %(zone)s.") % {"zone": schedule.time_zone}
        cancel = reverse("oncall:schedule", args=[schedule.pk])
        return _form_page(request, form, title, gettext("Add override"), cancel, intro)


def override_delete(request: HttpRequest, pk: int, override_pk: int) -> HttpResponse:
    override = get_object_or_404(
        Override.objects.select_related("schedule", "user"), pk=override_pk, schedule_id=pk
    )
    require(can_manage_plan(request.user))
    if request.method == "POST":
        services.delete_override(override)
        messages.success(request, gettext("Override deleted."))
        return redirect("oncall:schedule", pk=pk)
    with timezone.override(override.schedule.zone):
        question = gettext("Delete the override of %(person)s from %(start)s to %(end)s?") % {
            "person": override.user.get_full_name() or override.user.get_username(),
            "start": _short(override.starts_at),
            "end": _short(override.ends_at),
        }
    return confirm_delete(
        request,
        question=question,
        action=reverse("oncall:override-delete", args=[pk, override.pk]),
        cancel_url=reverse("oncall:schedule", args=[pk]),
    )


def _short(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# --- public calendar feeds ------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a secret: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_safe
def schedule_feed(request: HttpRequest, token: str) -> HttpResponse:
    schedule = get_object_or_404(Schedule, feed_token=token)
    return _ics(feeds.schedule_calendar(schedule), f"oncall-{schedule.pk}.ics")


@login_not_required
@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(PersonFeed.objects.select_related("user"), token=token)
    # Written in the person's language: their calendar app sends no useful Accept-Language.
    language = (
        Profile.objects.filter(user=feed.user).values_list("language", flat=True).first()
        or translation.get_language()
    )
    with translation.override(language):
        body = feeds.person_calendar(feed)
    return _ics(body, "oncall-me.ics")
