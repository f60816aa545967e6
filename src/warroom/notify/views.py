"""Pages of the notify app: recent deliveries with their status, and "send me a test".

Everyone sees their own deliveries; administrators and those who manage the plan see everyone's,
to check that pages get through.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from warroom.core.web import render_page_or_fragment
from warroom.notify import services
from warroom.notify.models import Delivery
from warroom.notify.queries import visible_deliveries
from warroom.people.access import can_manage_plan
from warroom.people.models import ContactMethod

PAGE_SIZE = 100
# Statuses after which nothing more happens to a row; the test page stops refreshing then.
FINISHED = {Delivery.Status.SENT, Delivery.Status.DEAD, Delivery.Status.UNDELIVERABLE}


def deliveries(request: HttpRequest) -> HttpResponse:
    see_all = can_manage_plan(request.user)
    rows = visible_deliveries(request.user, see_all=see_all)
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    context = {
        "rows": rows[:PAGE_SIZE],
        "see_all": see_all,
        "statuses": Delivery.Status.choices,
        "status": status,
    }
    return render(request, "notify/deliveries.html", context)


def test_page(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    recent = list(Delivery.objects.filter(recipient_id=me.pk, kind="test")[:10])
    context = {
        "methods": ContactMethod.objects.filter(user_id=me.pk),
        "rows": recent,
        "waiting": any(row.status not in FINISHED for row in recent),
    }
    return render_page_or_fragment(request, "notify/test.html", "notify/_test_rows.html", context)


def _me(request: HttpRequest) -> User:
    # The login middleware lets only signed-in people reach these pages.
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@require_POST
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's contact method is not found rather than forbidden: its existence is
    # nobody else's business.
    method = get_object_or_404(ContactMethod, pk=pk, user_id=_me(request).pk)
    services.send_test_message(method)
    messages.success(
        request,
        gettext("A test message to “%(label)s” is on its way.") % {"label": method.label},
    )
    return redirect("notify:test")
