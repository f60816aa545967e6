from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from warroom.api.auth import TokenAuth
from warroom.evaluation import prometheus, queries, services
from warroom.evaluation.export import write_csv
from warroom.evaluation.forms import FeedbackForm, PeriodForm
from warroom.evaluation.periods import Period, add_months, this_month
from warroom.evaluation.queries import MILESTONES, Evaluation
from warroom.lib.errors import DomainError


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The form as read from the query string and the period it names (this month when it
    names none or cannot be read; the form then carries the errors)."""
    form = PeriodForm(request.GET)
    return form, form.period if form.is_valid() else this_month()


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    data = queries.evaluation(period)
    first = period.start.replace(day=1)
    context = {
        "form": form,
        "data": data,
        "period": period,
        "month_value": first.strftime("%Y-%m") if period.is_month else "",
        "previous_month": add_months(first, -1).strftime("%Y-%m"),
        "next_month": add_months(first, 1).strftime("%Y-%m"),
        "query": request.GET.urlencode(),
        "breakdowns": [
            (by, _BREAKDOWN_TITLES[by](), data.breakdowns[by]) for by in queries.BREAKDOWNS
        ],
        "milestones": [(m, _MILESTONE_NAMES[m]()) for m in MILESTONES],
        "overall_measures": [(_MILESTONE_NAMES[m](), data.overall.measure(m)) for m in MILESTONES],
        "chart": _chart(data),
    }
    return render(request, "evaluation/dashboard.html", context)


_MILESTONE_NAMES = {
    "acknowledge": lambda: _("Acknowledge"),
    "assess": lambda: _("Assess"),
    "mitigate": lambda: _("Mitigate"),
    "resolve": lambda: _("Resolve"),
}
_BREAKDOWN_TITLES = {
    "level": lambda: _("By impact level"),
    "category": lambda: _("By risk category"),
    "system": lambda: _("By system"),
    "department": lambda: _("By department (owner of the affected systems)"),
}


def _chart(data: Evaluation) -> dict[str, Any]:
    """What dashboard.js draws: the monthly trend, with its texts already translated."""
    months = data.trend
    return {
        "labels": [row.key for row in months],
        "incidents": [row.incidents for row in months],
        "times": [
            {
                "label": _("%(milestone)s, median") % {"milestone": _MILESTONE_NAMES[m]()},
                "data": [row.measure(m).p50 for row in months],
            }
            for m in MILESTONES
        ]
        + [
            {
                "label": _("%(milestone)s, 90th percentile")
                % {"milestone": _MILESTONE_NAMES["resolve"]()},
                "data": [row.measure("resolve").p90 for row in months],
            }
        ],
        "met": [None if row.met_share is None else round(row.met_share * 100, 1) for row in months],
        "feedback": [row.feedback.average if row.feedback else None for row in months],
        "text": {
            "incidents": _("Incidents"),
            "minutes": _("Minutes from the report"),
            "met": _("Plan targets met (%)"),
            "feedback": _("Average feedback score (1–5)"),
        },
    }


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's numbers as CSV, for the same period; `group_by` limits the lines to one
    breakdown."""
    form, period = _period(request)
    group_by = request.GET.get("group_by", "")
    if group_by and group_by not in queries.BREAKDOWNS:
        return HttpResponse(
            _("group_by must be one of: %(names)s") % {"names": ", ".join(queries.BREAKDOWNS)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if form.errors:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    out = io.StringIO()
    write_csv(out, period, [group_by] if group_by else queries.BREAKDOWNS)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"warroom-evaluation-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The survey link sent after resolution. Public by design (the reporter may not be signed
    in); the signature names the survey, which can be answered once. GET shows the form, so a
    mail scanner opening the link answers nothing."""
    try:
        survey = services.read_survey_token(token)
    except DomainError as exc:
        return render(request, "evaluation/feedback.html", {"error": exc.message}, status=400)
    context: dict[str, Any] = {"survey": survey, "incident": survey.incident, "done": False}
    if survey.submitted_at is not None:
        context["already"] = True
        return render(
            request,
            "evaluation/feedback.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(
                survey, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except DomainError as exc:
            # Answered meanwhile (another tab) or refused: say so on the page.
            context.update(error=exc.message, already=exc.field == "token")
            return render(request, "evaluation/feedback.html", context, status=409)
        context["done"] = True
    status = 400 if form.errors else 200
    return render(request, "evaluation/feedback.html", context, status=status)


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape target. Not behind the sign-in page: Prometheus sends an API token
    (`authorization: {credentials: ...}` in its scrape config) and gets 401 without one."""
    if TokenAuth()(request) is None:
        response = HttpResponse(
            "authentication required\n", status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Bearer realm="warroom"'
        return response
    return HttpResponse(prometheus.exposition(), content_type=prometheus.CONTENT_TYPE)
