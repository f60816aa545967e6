"""The report in the REST API: its export, its review steps and the open action items.
Every endpoint: parse → authorise → one service. An incident the caller may not see answers
404, like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.incidents import queries as incident_queries
from warroom.incidents import schemas as s
from warroom.incidents import services
from warroom.incidents.models import Incident, Report
from warroom.lib.errors import DomainError
from warroom.reports import queries
from warroom.reports.export import export_report

router = Router(tags=["reports"])
SHOW = ("overdue", "open", "mine")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every operation
    return user


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    incident = incident_queries.visible_incidents(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("incident not found")
    return incident


def _report(incident: Incident) -> Report:
    report = Report.objects.filter(incident=incident).select_related("approved_by").first()
    if report is None:
        raise Http404("the report is drafted when the incident is resolved")
    report.incident = incident
    return report


@router.get(
    "/incidents/{incident_id}/report/export",
    summary="The post-incident report as Markdown, HTML or PDF",
)
def export(
    request: HttpRequest,
    incident_id: int,
    format: Literal["md", "html", "pdf"] = "md",
    lang: Literal["zh-hans", "en"] = "zh-hans",
) -> HttpResponse:
    result = export_report(_report(_incident(request, incident_id)), fmt=format, lang=lang)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@router.post("/incidents/{incident_id}/report/submit", response=s.ReportOut)
def submit(request: HttpRequest, incident_id: int) -> Any:
    """Draft → in review (the leads)."""
    return services.submit_report(_incident(request, incident_id), actor=_user(request))


@router.post("/incidents/{incident_id}/report/approve", response=s.ReportOut)
def approve(request: HttpRequest, incident_id: int) -> Any:
    """In review → approved (the commander or an administrator)."""
    return services.approve_report(_incident(request, incident_id), actor=_user(request))


class RejectIn(Schema):
    reason: str


@router.post("/incidents/{incident_id}/report/reject", response=s.ReportOut)
def reject(request: HttpRequest, incident_id: int, payload: RejectIn) -> Any:
    """In review → back to draft (the commander or an administrator), with the reason, which
    goes on the incident's timeline. A missing or empty reason is a 422 on `reason`."""
    return services.reject_report(
        _incident(request, incident_id), actor=_user(request), reason=payload.reason
    )


@router.post("/incidents/{incident_id}/report/publish", response=s.ReportOut)
def publish(request: HttpRequest, incident_id: int) -> Any:
    """Approved → published (the leads)."""
    return services.publish_report(_incident(request, incident_id), actor=_user(request))


class ActionItemOut(Schema):
    id: int
    incident: int
    title: str
    owner: str | None
    due_date: dt.date | None
    status: str
    plan_change: int | None

    @staticmethod
    def resolve_incident(obj: Any) -> int:
        return int(obj.incident_id)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.get_username() if obj.owner else None

    @staticmethod
    def resolve_plan_change(obj: Any) -> int | None:
        return obj.plan_change_id


@router.get("/action-items", response=list[ActionItemOut])
@paginate(LimitOffsetPagination)
def action_items(request: HttpRequest, show: str = "overdue") -> Any:
    """Open action items of the incidents the caller may see: `show` is overdue (the
    default), open (all of them) or mine (the caller's own)."""
    # A plain str: django-ninja's paginator cannot resolve a Literal in this module.
    if show not in SHOW:
        raise DomainError("show", f"one of {', '.join(SHOW)}")
    user = _user(request)
    if show == "overdue":
        return queries.overdue_action_items(user)
    items = queries.open_action_items(user)
    return items.filter(owner=user) if show == "mine" else items
