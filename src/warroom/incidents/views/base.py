"""What every incident view shares: finding an incident the viewer may see, and answering a
posted action.

An action answers htmx with the section it changed (and the header and timeline out of band),
anything else with a redirect to the incident page (post/redirect/get) — or, when the action
failed, with the page itself showing why. Errors map as in the API: DomainError on the form
field it names (or as a message), TransitionError as a message with status 409 and the state
unchanged, TransitionDenied and PermissionDenied as the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from warroom.core.web import is_htmx, show_domain_error
from warroom.incidents import queries
from warroom.incidents.models import Incident
from warroom.incidents.transitions import TransitionDenied, TransitionError
from warroom.incidents.views.page import IncidentPage
from warroom.lib.errors import DomainError

SECTIONS = {
    "incident": "incidents/_incident.html",
    "header": "incidents/_header.html",
    "actions": "incidents/_actions.html",
    "systems": "incidents/_systems.html",
    "team": "incidents/_team.html",
    "orders": "incidents/_orders.html",
    "tasks": "incidents/_tasks.html",
    "records": "incidents/_records.html",
    "logistics": "incidents/_logistics.html",
    "recovery": "incidents/_recovery.html",
    "report": "incidents/_report.html",
    "timeline": "incidents/_timeline.html",
}
# Sections that already contain the header and the timeline, or are them.
WITHOUT_OOB = {"incident", "header", "timeline"}


def viewer(request: HttpRequest) -> User:
    user = request.user
    # The login middleware lets only signed-in people reach these pages.
    assert isinstance(user, User)
    return user


def visible_or_404(request: HttpRequest, pk: int) -> Incident:
    """The incident, if the viewer may see it; one they may not see does not exist (404)."""
    incident = queries.visible_incidents(request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404("incident not found")
    return incident


def load(request: HttpRequest, pk: int) -> IncidentPage:
    return IncidentPage(request, visible_or_404(request, pk), viewer(request))


def detail_url(incident: Incident, section: str = "") -> str:
    url = reverse("incidents:detail", args=[incident.pk])
    return f"{url}#incident-{section}" if section and section != "incident" else url


def render_section(page: IncidentPage, section: str, *, status: int = 200) -> HttpResponse:
    """The section for htmx, else the whole incident page."""
    request = page.request
    context = {"page": page, "incident": page.incident}
    if is_htmx(request):
        context |= {"section": SECTIONS[section], "with_oob": section not in WITHOUT_OOB}
        # htmx swaps only 2xx answers, so the outcome is told inside the section.
        response = render(request, "incidents/_answer.html", context)
    else:
        response = render(request, "incidents/detail.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def act(
    page: IncidentPage,
    section: str,
    call: Callable[[], object],
    *,
    done: str,
    form: forms.BaseForm | None = None,
    form_name: str = "",
) -> HttpResponse:
    """Validate `form` (if any), run `call` (one service) and answer with `section`.

    A form named `form_name` is shown again with its errors; a row's form without a name
    reports its errors as the section's message.
    """
    request = page.request
    flash_in = "actions" if section == "incident" else section
    if form is not None and not form.is_valid():
        return _failed(page, section, flash_in, form, form_name, _errors(form), 200)
    try:
        call()
    except TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except TransitionError as exc:
        if form is not None and form_name:
            form.add_error(None, str(exc))
        return _failed(page, section, flash_in, form, form_name, str(exc), 409)
    except DomainError as exc:
        if form is not None and form_name:
            show_domain_error(form, exc)
            return _failed(page, section, flash_in, form, form_name, exc.message, 200)
        return _failed(page, section, flash_in, form, form_name, exc.message, 409)
    incident = queries.visible_incidents(request.user).filter(pk=page.incident.pk).first()
    if incident is None:  # the change took the incident out of the viewer's sight
        messages.success(request, done)
        target = reverse("incidents:list")
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if not is_htmx(request):
        messages.success(request, done)
        return redirect(detail_url(incident, section))
    fresh = IncidentPage(request, incident, page.user)
    fresh.flash(flash_in, "success", done)
    return render_section(fresh, section)


def _failed(
    page: IncidentPage,
    section: str,
    flash_in: str,
    form: forms.BaseForm | None,
    form_name: str,
    text: str,
    status: int,
) -> HttpResponse:
    if form is not None and form_name:
        page.bind(form_name, form)
    # Another tab or person may have changed the incident meanwhile: show it as it is now.
    page.incident.refresh_from_db()
    if is_htmx(page.request):
        page.flash(flash_in, "error", text)
    else:
        messages.error(page.request, text)
    return render_section(page, section, status=status)


def _errors(form: forms.BaseForm) -> str:
    """The form's errors in one line, each named by its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return gettext("Not saved: %(errors)s") % {"errors": "; ".join(parts)}
