"""Small helpers shared by the page views: htmx detection, turning a service's DomainError
into a form error, and the 403 for a user the plan does not allow to change something."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext

from warroom.lib.errors import DomainError


def ui_language() -> str:
    """The language code of the UI in this request: "zh-hans" or "en"."""
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx asked for a fragment. A history restore wants the whole page back."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """The fragment for htmx, else the whole page (which includes the fragment)."""
    response = render(request, fragment if is_htmx(request) else page, context)
    # The same URL answers with two bodies, so caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def require(allowed: bool) -> None:
    """Raise PermissionDenied (a 403 page) unless `allowed`."""
    if not allowed:
        raise PermissionDenied


def show_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Attach a service's error to the form field it names, or to the form as a whole when
    the form has no such field (the message still names the input)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message if field else str(error))


def post_data(request: HttpRequest) -> Any:
    """The submitted form data on POST, None on GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def confirm_delete(
    request: HttpRequest,
    *,
    question: str,
    action: str,
    cancel_url: str,
    consequences: list[str] | None = None,
    confirm_label: str | None = None,
) -> HttpResponse:
    """Ask before deleting: inline under the button for htmx, else as a page of its own.
    The answer is a plain POST to `action`, so it works without JavaScript too."""
    context = {
        "question": question,
        "action": action,
        "cancel_url": cancel_url,
        "consequences": consequences or [],
        "confirm_label": confirm_label or gettext("Delete"),
        "fragment": is_htmx(request),
    }
    return render_page_or_fragment(
        request, "core/confirm_delete.html", "core/_confirm_delete.html", context
    )
