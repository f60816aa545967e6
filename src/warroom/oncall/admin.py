from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warroom.oncall.models import (
    HandoffNotice,
    Layer,
    LayerMember,
    Override,
    PersonFeed,
    Schedule,
)


class LayerInline(admin.TabularInline[Layer, Schedule]):
    model = Layer
    extra = 0
    fields = ("position", "name", "rotation", "shift_length", "handoff_time", "starts_at")
    show_change_link = True


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "time_zone", "created_at")
    search_fields = ("name", "description")
    inlines = [LayerInline]


class LayerMemberInline(admin.TabularInline[LayerMember, Layer]):
    model = LayerMember
    extra = 1
    fields = ("position", "user")
    autocomplete_fields = ("user",)


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin[Layer]):
    list_display = ("name", "schedule", "position", "rotation", "handoff_time", "starts_at")
    list_filter = ("schedule", "rotation")
    list_select_related = ("schedule",)
    inlines = [LayerMemberInline]


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin[Override]):
    list_display = ("schedule", "user", "starts_at", "ends_at", "reason", "created_by")
    list_filter = ("schedule",)
    list_select_related = ("schedule", "user", "created_by")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Override, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PersonFeed)
class PersonFeedAdmin(admin.ModelAdmin[PersonFeed]):
    list_display = ("user",)
    list_select_related = ("user",)
    # The token is not editable: the admin shows who has a feed, not the secret.


@admin.register(HandoffNotice)
class HandoffNoticeAdmin(admin.ModelAdmin[HandoffNotice]):
    list_display = ("schedule", "user", "shift_start", "shift_end", "sent_at")
    list_filter = ("schedule",)
    list_select_related = ("schedule", "user")
    readonly_fields = ("schedule", "user", "shift_start", "shift_end", "sent_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
