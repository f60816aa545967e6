from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("home", _("Overview")),
    ("incidents:list", _("Incidents")),
    ("reports:actions", _("Action items")),
    ("alerts:list", _("Alerts")),
    ("comms:index", _("Status")),
    ("plan:current", _("Plan")),
    ("catalog:systems", _("Systems")),
    ("catalog:risks", _("Risks")),
    ("people:team", _("Team")),
    ("oncall:list", _("On call")),
    ("drills:list", _("Drills")),
    ("resources:inventory", _("Resources")),
    ("resources:contacts", _("Outside help")),
    ("evaluation:dashboard", _("Evaluation")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    path = request.path
    items = []
    for name, label in NAV:
        url = reverse(name)
        active = path == url if name == "home" else path.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    if request.user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("Admin"), "active": False})
    return {"nav_items": items}
