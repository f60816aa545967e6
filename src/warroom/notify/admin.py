from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warroom.notify.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """Read-only: a delivery row is a record of what was sent; only the worker changes it."""

    list_display = (
        "created_at",
        "recipient",
        "label",
        "scheme",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "kind", "drill")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "subject")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
