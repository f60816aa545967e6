from __future__ import annotations

from django.contrib import admin

from warroom.paging.models import EscalationPolicy, NotificationRule, Paging


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin[EscalationPolicy]):
    list_display = ("name", "repeat", "is_default", "updated_at")


@admin.register(Paging)
class PagingAdmin(admin.ModelAdmin[Paging]):
    """Read-only: the paging of an incident moves only through its services."""

    list_display = ("incident", "policy_name", "state", "step", "round", "next_step_at")
    list_filter = ("state",)
    readonly_fields = (
        "incident",
        "policy_name",
        "steps",
        "repeat",
        "step",
        "round",
        "next_step_at",
        "state",
        "acknowledged_by",
        "acknowledged_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin[NotificationRule]):
    list_display = ("user", "contact_method", "delay_minutes")
    list_select_related = ("user", "contact_method")
