"""The pages that read: the dashboard blocks of the overview, the list, the incident page and
its polled sections; and the report form, which anyone signed in may use (plan §4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from warroom.core.web import post_data, render_page_or_fragment, show_domain_error, ui_language
from warroom.incidents import queries, services
from warroom.incidents.forms import IncidentFilterForm, ReportForm
from warroom.incidents.models import Incident
from warroom.incidents.models.incident import OPEN_STATES
from warroom.incidents.queries import Deadline
from warroom.incidents.views.base import (
    SECTIONS,
    load,
    render_section,
    viewer,
    visible_or_404,
)
from warroom.incidents.views.page import DEADLINE_LABELS, IncidentPage
from warroom.lib.errors import DomainError
from warroom.plan.queries import NoPlanError, choices

PAGE_SIZE = 50
DASHBOARD_ROWS = 20
POLLED = ("header", "timeline")


@dataclass(frozen=True)
class IncidentRow:
    """An incident of a list with its next pending deadline (read from its own fields)."""

    incident: Incident
    next_deadline: Deadline | None

    @property
    def deadline_label(self) -> str:
        d = self.next_deadline
        return str(DEADLINE_LABELS.get(d.name, d.name)) if d else ""


def _rows(incidents: Any) -> list[IncidentRow]:
    return [IncidentRow(i, queries.next_deadline(i)) for i in incidents]


def _names() -> dict[str, dict[str, str]]:
    lang = ui_language()
    return {
        "levels": dict(choices("impact_levels", lang)),
        "categories": dict(choices("risk_categories", lang)),
    }


def dashboard(user: User | AnonymousUser) -> dict[str, Any]:
    """The incident blocks of the overview: open incidents with their next deadline, the
    viewer's tasks and unacknowledged orders, and missed deadlines. A constant number of
    queries, however many incidents are open."""
    if not isinstance(user, User):
        return {}
    open_items = queries.open_incidents(user).prefetch_related("systems")
    return {
        "incidents_open": _rows(open_items[:DASHBOARD_ROWS]),
        "my_tasks": list(queries.my_tasks(user).order_by("due_at", "id")[:DASHBOARD_ROWS]),
        "my_orders": list(queries.my_orders(user).order_by("issued_at")[:DASHBOARD_ROWS]),
        "missed": [
            (incident, DEADLINE_LABELS.get(d.name, d.name), d)
            for incident, d in queries.missed_deadlines(user)
        ],
        "incident_names": _names(),
    }


def incident_list(request: HttpRequest) -> HttpResponse:
    filters = IncidentFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    items = queries.search(request.user, data.get("q", "")).prefetch_related("systems")
    state = data.get("state", "")
    if state:
        # A chosen state shows the incidents in it, open or not.
        items = items.filter(status=state)
    elif data.get("show") != "all":
        items = items.filter(status__in=OPEN_STATES)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": _rows(page.object_list),
        "page_obj": page,
        "query": query.urlencode(),
        "filters": filters,
        "names": _names(),
    }
    return render_page_or_fragment(
        request, "incidents/list.html", "incidents/_incident_rows.html", context
    )


def report(request: HttpRequest) -> HttpResponse:
    """Any signed-in employee reports; the emergency team is paged by the service."""
    user = viewer(request)
    form = ReportForm(post_data(request), categories=choices("risk_categories", ui_language()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                reporter=user,
                title=data["title"],
                description=data["description"],
                noticed_at=data["noticed_at"],
                systems=list(data["systems"]),
                category=data["category"],
                contact=data["contact"],
                source="web",
            )
        except DomainError as error:
            show_domain_error(form, error)
        except NoPlanError:
            form.add_error(None, gettext("No plan has been applied yet, so nobody can be paged."))
        else:
            messages.success(
                request,
                gettext("%(ref)s reported. The emergency team has been paged.")
                % {"ref": incident.reference},
            )
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/report.html", {"form": form})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_section(load(request, pk), "incident")


@require_GET
def section(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One section, for htmx polling (the header and the timeline every 30 s)."""
    if name not in SECTIONS:
        raise Http404("no such section")
    incident = visible_or_404(request, pk)
    seen = request.GET.get("seen", "")
    return render_section(IncidentPage(request, incident, viewer(request), seen=seen), name)
