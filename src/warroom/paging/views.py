from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from warroom.incidents.services import acknowledge_incident
from warroom.incidents.transitions import TransitionError
from warroom.lib.errors import DomainError
from warroom.paging import services
from warroom.paging.models import NotificationRule
from warroom.people.models import ContactMethod


@login_not_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link in a page. Public by design (the person may be on a phone, not signed
    in): the signature names the incident and the person. GET only shows a button, so mail
    scanners that open links acknowledge nothing; POST acknowledges."""
    try:
        incident, user = services.read_ack_token(token)
    except DomainError as exc:
        return render(request, "paging/ack.html", {"error": exc.message}, status=400)
    context = {"incident": incident, "person": user, "done": False}
    if request.method == "POST":
        try:
            acknowledge_incident(incident, actor=user)
            context["done"] = True
        except (TransitionError, PermissionDenied) as exc:
            context["error"] = str(exc)
        incident.refresh_from_db()
    return render(request, "paging/ack.html", context)


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notification rules: which method, after how many minutes."""
    user = request.user
    assert isinstance(user, User)
    methods = list(ContactMethod.objects.filter(user=user).order_by("position", "id"))
    if request.method == "POST":
        chosen: list[tuple[ContactMethod, int]] = []
        for method in methods:
            raw = request.POST.get(f"delay_{method.pk}", "").strip()
            if raw == "":
                continue
            try:
                chosen.append((method, int(raw)))
            except ValueError:
                messages.error(
                    request,
                    _("%(label)s: minutes must be a whole number") % {"label": method.label},
                )
                return redirect("paging:rules")
        try:
            services.set_notification_rules(user, chosen)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("paging:rules")
        messages.success(request, _("Your notification rules are saved."))
        return redirect("paging:rules")
    current = {
        r.contact_method_id: r.delay_minutes for r in NotificationRule.objects.filter(user=user)
    }
    rows = [{"method": m, "delay": current.get(m.pk)} for m in methods]
    return render(request, "paging/rules.html", {"rows": rows, "has_rules": bool(current)})
