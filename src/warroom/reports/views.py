"""The report's pages: its export (Markdown, HTML, PDF in either language), its review steps
(answered like every action of the incident page), and the list of open action items.

Each: parse → find what the viewer may see (an incident they may not see does not exist: 404)
→ one service or renderer → answer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from warroom.core.web import render_page_or_fragment, ui_language
from warroom.incidents import services
from warroom.incidents.forms import ReasonForm
from warroom.incidents.models import Incident, Report
from warroom.incidents.views.base import act, load, visible_or_404
from warroom.reports import queries
from warroom.reports.export import FORMATS, export_report

PAGE_SIZE = 100


def report_of(incident: Incident) -> Report:
    report = Report.objects.filter(incident=incident).select_related("approved_by").first()
    if report is None:
        raise Http404("the report is drafted when the incident is resolved")
    report.incident = incident
    return report


def export_language(request: HttpRequest) -> str:
    """?lang= (zh-hans or en), else the UI's language."""
    wanted = request.GET.get("lang", "")
    return wanted if wanted in ("zh-hans", "en") else ui_language()


@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("the report is exported as md, html or pdf")
    report = report_of(visible_or_404(request, pk))
    result = export_report(report, fmt=fmt, lang=export_language(request))
    response = HttpResponse(result.content, content_type=result.content_type)
    # The HTML is shown in the browser; Markdown and PDF are saved as files.
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{result.filename}"'
    return response


# The review steps, from the report section of the incident page


def _step(request: HttpRequest, pk: int, step: Callable[..., object], done: str) -> HttpResponse:
    """One review step that needs nothing but the actor: run the service, re-render the
    report section with its outcome."""
    page = load(request, pk)
    return act(page, "report", lambda: step(page.incident, actor=page.user), done=done)


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.submit_report, gettext("Report submitted for review."))


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.approve_report, gettext("Report approved."))


@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """In review → draft, by the approver, with the reason (shown on the form when missing)."""
    page = load(request, pk)
    form = ReasonForm(request.POST)
    return act(
        page,
        "report",
        lambda: services.reject_report(
            page.incident, actor=page.user, reason=form.cleaned_data["reason"]
        ),
        done=gettext("Report sent back to draft."),
        form=form,
        form_name="reject_report",
    )


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.publish_report, gettext("Report published."))


# Action items


def actions(request: HttpRequest) -> HttpResponse:
    """Open action items of the incidents the viewer may see: all of them, the overdue ones
    (?show=overdue) or the viewer's own (?show=mine). A constant number of queries."""
    user = request.user
    assert isinstance(user, User)
    show = request.GET.get("show", "overdue")
    today = timezone.localdate()
    if show == "mine":
        items = queries.open_action_items(user).filter(owner=user)
    elif show == "open":
        items = queries.open_action_items(user)
    else:
        show = "overdue"
        items = queries.overdue_action_items(user, today)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "items": list(page.object_list),
        "page_obj": page,
        "show": show,
        "today": today,
        "choices": [
            ("overdue", gettext("Overdue")),
            ("open", gettext("All open")),
            ("mine", gettext("Mine")),
        ],
    }
    return render_page_or_fragment(
        request, "reports/actions.html", "reports/_action_rows.html", context
    )
