"""Pages of the comms app.

Public (no sign-in, by design): the status page, its Atom feed, subscribing, confirming,
unsubscribing, and the subscribers' survey after an incident. Signed in, under /comms/: the
incidents customer service talks about, the form to post a public update, the status
components and the subscribers.

Each view parses, authorises, calls one service and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from warroom.comms import public, queries, services, subscribers
from warroom.comms.forms import ComponentForm, PublicUpdateForm, SubscribeForm
from warroom.comms.models import StatusComponent, Subscriber
from warroom.comms.rights import (
    can_manage_components,
    can_post_public_update,
    can_see_subscribers,
)
from warroom.core.web import confirm_delete, post_data, require, show_domain_error
from warroom.evaluation import services as evaluation
from warroom.evaluation.forms import FeedbackForm
from warroom.incidents import queries as incident_queries
from warroom.lib.errors import DomainError

# --- public -----------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "HEAD"])
def status(request: HttpRequest) -> HttpResponse:
    lang = public.pick_language(request)
    response = HttpResponse(public.status_html(lang, public.web_links(lang), request))
    response["Content-Language"] = lang
    return response


@login_not_required
@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest) -> HttpResponse:
    lang = public.pick_language(request)
    response = HttpResponse(
        public.atom_feed(lang), content_type="application/atom+xml; charset=utf-8"
    )
    response["Content-Language"] = lang
    return response


def _public_page(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with translation.override(lang):
        response = render(
            request, template, {**context, "links": public.web_links(lang)}, status=status
        )
    response["Content-Language"] = lang
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    lang = public.pick_language(request)
    with translation.override(lang):
        form = SubscribeForm(post_data(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                subscribers.subscribe(
                    email=data["email"] or "",
                    webhook=data["webhook"] or "",
                    components=list(data["components"]),
                    language=lang,
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                # The same answer whether the address was new, waiting or subscribed.
                return _public_page(request, lang, "comms/subscribed.html", {})
    return _public_page(request, lang, "comms/subscribe.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation message. GET shows a button (mail scanners open links),
    POST confirms."""
    return _token_page(request, token, "confirm")


@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link in every message. GET shows a button, POST unsubscribes."""
    return _token_page(request, token, "unsubscribe")


def _token_page(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    lang = public.pick_language(request)
    template = f"comms/{purpose}.html"
    with translation.override(lang):
        try:
            subscriber = subscribers.read_token(token, purpose=purpose)
            if request.method == "POST":
                if purpose == "confirm":
                    subscribers.confirm_subscription(subscriber)
                else:
                    subscribers.unsubscribe(subscriber)
                return _public_page(request, lang, template, {"done": True})
        except DomainError as error:
            return _public_page(request, lang, template, {"error": error.message}, status=400)
    return _public_page(request, lang, template, {"subscriber": subscriber})


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey link sent to subscribers after resolution: a score from 1 to 5 and a
    comment, answered once. GET shows the form (mail scanners open links), POST answers. The
    incident is named as the status page names it."""
    lang = public.pick_language(request)
    template = "comms/survey.html"
    with translation.override(lang):
        try:
            feedback = evaluation.read_survey_token(token)
        except DomainError as error:
            return _public_page(request, lang, template, {"error": error.message}, status=400)
        context: dict[str, Any] = {"label": queries.public_label(feedback.incident)}
        if feedback.submitted_at is not None:
            status = 409 if request.method == "POST" else 200
            return _public_page(request, lang, template, {**context, "already": True}, status)
        form = FeedbackForm(post_data(request))
        if request.method == "POST" and form.is_valid():
            try:
                evaluation.submit_feedback(
                    feedback, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except DomainError as error:
                if error.field == "token":  # answered meanwhile, in another tab
                    return _public_page(request, lang, template, {**context, "already": True}, 409)
                show_domain_error(form, error)
            else:
                return _public_page(request, lang, template, {**context, "done": True})
        status = 400 if form.errors else 200
        return _public_page(request, lang, template, {**context, "form": form}, status)


# --- staff ------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the middleware signs everyone in first
    return request.user


def index(request: HttpRequest) -> HttpResponse:
    """Open incidents and where their communication stands; the page as the public sees it."""
    user = _user(request)
    incidents = list(
        incident_queries.open_incidents(user)
        .annotate(
            public_count=Count("public_updates"), last_public=Max("public_updates__posted_at")
        )
        .order_by("next_update_due", "-reported_at")
    )
    context = {
        "incidents": incidents,
        "overview": queries.status_overview(),
        "can_see_subscribers": can_see_subscribers(user),
        "can_manage": can_manage_components(user),
    }
    return render(request, "comms/index.html", context)


def incident(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = incident_queries.visible_incidents(user).filter(pk=pk).first()
    if item is None:
        raise Http404("incident not found")
    allowed = can_post_public_update(user, item)
    form = PublicUpdateForm(post_data(request) if allowed else None)
    if request.method == "POST":
        require(allowed)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.post_public_update(
                    item,
                    actor=user,
                    status=data["status"],
                    text_en=data["text_en"],
                    text_zh=data["text_zh"],
                    eta=data["eta"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, gettext("Public update posted."))
                return redirect("comms:incident", pk=item.pk)
    context = {
        "incident": item,
        "updates": list(queries.updates_of(item)),
        "form": form,
        "can_post": allowed,
        "components": queries.affected_components(item),
    }
    return render(request, "comms/incident.html", context)


def components(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    manager = can_manage_components(user)
    form = ComponentForm(post_data(request) if manager else None)
    if request.method == "POST":
        require(manager)
        if form.is_valid():
            return _save_component(request, None, form)
    items = list(
        StatusComponent.objects.prefetch_related("systems").annotate(
            subscriber_count=Count("subscribers")
        )
    )
    return render(
        request, "comms/components.html", {"components": items, "form": form, "manager": manager}
    )


def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_components(request.user))
    component = get_object_or_404(StatusComponent, pk=pk)
    form = ComponentForm(request.POST) if request.method == "POST" else ComponentForm.of(component)
    if request.method == "POST" and form.is_valid():
        return _save_component(request, component, form)
    return render(
        request,
        "core/form.html",
        {
            "title": gettext("Status component “%(name)s”") % {"name": component.name},
            "form": form,
            "submit_label": gettext("Save"),
            "cancel_url": reverse("comms:components"),
        },
    )


def _save_component(
    request: HttpRequest, component: StatusComponent | None, form: ComponentForm
) -> HttpResponse:
    data = form.cleaned_data
    try:
        saved = services.save_component(
            component,
            actor=_user(request),
            name_en=data["name_en"],
            name_zh=data["name_zh"] or "",
            systems=list(data["systems"]),
            position=data["position"],
            visible=data["visible"],
        )
    except DomainError as error:
        show_domain_error(form, error)
        return render(
            request,
            "core/form.html",
            {
                "title": gettext("Status component"),
                "form": form,
                "submit_label": gettext("Save"),
                "cancel_url": reverse("comms:components"),
            },
        )
    messages.success(request, gettext("Status component “%(name)s” saved.") % {"name": saved.name})
    return redirect("comms:components")


def component_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_components(request.user))
    component = get_object_or_404(StatusComponent, pk=pk)
    if request.method == "POST":
        services.delete_component(component, actor=_user(request))
        messages.success(
            request, gettext("Status component “%(name)s” deleted.") % {"name": component.name}
        )
        return redirect("comms:components")
    return confirm_delete(
        request,
        question=gettext("Delete the status component “%(name)s”?") % {"name": component.name},
        action=reverse("comms:component-delete", args=[component.pk]),
        cancel_url=reverse("comms:components"),
        consequences=[gettext("Its subscribers then receive the updates of every component.")],
    )


def subscriber_list(request: HttpRequest) -> HttpResponse:
    require(can_see_subscribers(request.user))
    items = list(Subscriber.objects.prefetch_related("components").order_by("-created_at")[:500])
    counts = dict.fromkeys(Subscriber.State.values, 0)
    for row in Subscriber.objects.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return render(request, "comms/subscribers.html", {"subscribers": items, "counts": counts})
