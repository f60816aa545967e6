from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from warroom.plan.queries import choices
from warroom.resources.models import ExternalContact, Resource


def inventory(request: HttpRequest) -> HttpResponse:
    items = Resource.objects.select_related("department", "custodian")
    materials = dict(choices("materials", request.LANGUAGE_CODE))
    return render(request, "resources/inventory.html", {"items": items, "materials": materials})


def contacts(request: HttpRequest) -> HttpResponse:
    return render(request, "resources/contacts.html", {"contacts": ExternalContact.objects.all()})
