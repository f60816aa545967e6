from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


class LoginRequiredExceptApi(LoginRequiredMiddleware):
    """Every page needs a signed-in user, unless its view is marked @login_not_required.

    The API under /api/ is left to django-ninja, which authenticates every operation itself
    (session or bearer token) and answers 401 in JSON rather than redirecting to a login page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
