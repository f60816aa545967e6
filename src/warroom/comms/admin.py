"""Admin of the comms app: components to edit; public updates, subscribers and deliveries to
read (they are written by the services, which notify and keep the timeline)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warroom.comms.models import (
    PublicUpdate,
    StatusComponent,
    Subscriber,
    SubscriberDelivery,
    UpdateReminder,
)


@admin.register(StatusComponent)
class StatusComponentAdmin(admin.ModelAdmin[StatusComponent]):
    list_display = ("name_en", "name_zh", "position", "visible")
    filter_horizontal = ("systems",)


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PublicUpdate)
class PublicUpdateAdmin(ReadOnly):
    list_display = ("incident", "status", "posted_at", "posted_by")
    list_filter = ("status",)


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnly):
    list_display = ("kind", "state", "language", "created_at", "confirmed_at")
    list_filter = ("kind", "state")
    # The address may be a webhook URL holding a token: not shown in lists.
    exclude = ("address",)


@admin.register(SubscriberDelivery)
class SubscriberDeliveryAdmin(ReadOnly):
    list_display = ("subscriber", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")


@admin.register(UpdateReminder)
class UpdateReminderAdmin(ReadOnly):
    list_display = ("incident", "due_at", "sent_at")
