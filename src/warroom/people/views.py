from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from warroom.people.models import Department, TeamRole


def team(request: HttpRequest) -> HttpResponse:
    roles = TeamRole.objects.filter(in_plan=True).select_related("department").prefetch_related(
        "memberships__person", "memberships__backup"
    )
    departments = Department.objects.filter(in_plan=True)
    return render(request, "people/team.html", {"roles": roles, "departments": departments})
