from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from warroom.lib.errors import DomainError
from warroom.paging import services
from warroom.paging.models import EscalationPolicy, NotificationRule, Paging


class EscalationPolicyForm(forms.ModelForm[EscalationPolicy]):
    class Meta:
        model = EscalationPolicy
        fields = ("name", "description", "repeat", "is_default", "steps")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The same rules as the API: steps and targets checked by the service.
        try:
            data["steps"] = services.check_steps(data.get("steps"))
        except DomainError as exc:
            self.add_error("steps", f"{exc.field}: {exc.message}")
        return data


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin[EscalationPolicy]):
    form = EscalationPolicyForm
    list_display = ("name", "repeat", "is_default", "updated_at")

    def save_model(
        self, request: HttpRequest, obj: EscalationPolicy, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        services.save_policy(
            obj if change else None,
            name=data["name"],
            steps=data["steps"],
            repeat=data["repeat"],
            description=data["description"],
            is_default=data["is_default"],
        )
        if not change:
            obj.pk = EscalationPolicy.objects.get(name=data["name"].strip()).pk


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
