from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from warroom.catalog import queries
from warroom.plan.queries import choices


def systems(request: HttpRequest) -> HttpResponse:
    kinds = dict(choices("system_kinds", request.LANGUAGE_CODE))
    return render(
        request,
        "catalog/systems.html",
        {"systems": queries.systems(), "kinds": kinds},
    )


def risks(request: HttpRequest) -> HttpResponse:
    lang = request.LANGUAGE_CODE
    return render(
        request,
        "catalog/risks.html",
        {
            "risks": queries.risks(),
            "today": timezone.localdate(),
            "categories": dict(choices("risk_categories", lang)),
            "levels": dict(choices("impact_levels", lang)),
        },
    )
