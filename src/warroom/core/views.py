from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from warroom.catalog.models import Risk, System
from warroom.catalog.queries import overdue_risks
from warroom.incidents.views.pages import dashboard
from warroom.people.models import TeamRole
from warroom.plan.models import PlanVersion
from warroom.resources.models import Resource


def home(request: HttpRequest) -> HttpResponse:
    plan = PlanVersion.objects.order_by("-number").first()
    unfilled = TeamRole.objects.filter(in_plan=True, memberships__isnull=True)
    context = {
        "plan_version": plan,
        "counts": {
            "systems": System.objects.count(),
            "risks": Risk.objects.count(),
            "resources_available": Resource.objects.filter(state="available").count(),
        },
        "overdue": overdue_risks()[:10],
        "unfilled_roles": unfilled,
        **dashboard(request.user),
    }
    return render(request, "core/home.html", context)


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; says nothing about the data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # any database failure means "not healthy", never a 500 page
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
