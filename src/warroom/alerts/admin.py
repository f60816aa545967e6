"""Admin for every model of the alerts app. Integration keys are made by the services (the
admin never sees or sets one); templates and matchers are checked as the services check them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext

from warroom.alerts import configure, keys
from warroom.alerts.matchers import clean_matchers
from warroom.alerts.models import (
    Alert,
    Integration,
    MaintenanceWindow,
    RateWindow,
    RoutingRule,
    Silence,
)
from warroom.alerts.templating import clean_templates
from warroom.lib.errors import DomainError


def _check(form: forms.ModelForm[Any], field: str, check: Any) -> None:
    if field in form.cleaned_data:
        try:
            form.cleaned_data[field] = check(form.cleaned_data[field])
        except DomainError as error:
            form.add_error(field, str(error))


class IntegrationForm(forms.ModelForm[Integration]):
    class Meta:
        model = Integration
        fields = (
            "name",
            "kind",
            "enabled",
            "rate_limit",
            "auto_resolve",
            "drill",
            "default_system",
            "default_category",
            "default_level",
            "default_group_by",
            "default_group_window",
            "default_escalation_policy",
            "templates",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check(self, "templates", clean_templates)
        return data


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    form = IntegrationForm
    list_display = ("name", "kind", "key_prefix", "enabled", "rate_limit", "default_system")
    list_filter = ("kind", "enabled", "drill")
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "key_rotated_at", "created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Integration, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new integration gets its key from the service, shown here this once.
        data = {f: getattr(obj, f) for f in configure.INTEGRATION_FIELDS if f != "name"}
        user = request.user if isinstance(request.user, User) else None
        made, raw = configure.create_integration(
            kind=obj.kind, name=obj.name, created_by=user, **data
        )
        obj.pk = made.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            gettext("Key (shown once): %(key)s — URL: %(url)s")
            % {"key": raw, "url": keys.webhook_url(made.kind, raw)},
            messages.WARNING,
        )


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = (
        "title",
        "status",
        "severity",
        "count",
        "integration",
        "system",
        "incident",
        "suppressed_by",
        "last_seen",
    )
    list_filter = ("status", "integration")
    search_fields = ("title", "fingerprint")
    raw_id_fields = ("incident",)
    list_select_related = ("integration", "system", "incident")


class MatchersForm(forms.ModelForm[Any]):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check(self, "matchers", clean_matchers)
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    form = MatchersForm
    list_display = (
        "position",
        "name",
        "integration",
        "system",
        "category",
        "level",
        "group_window",
        "escalation_policy",
    )
    list_select_related = ("integration", "system", "escalation_policy")


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin[Silence]):
    form = MatchersForm
    list_display = ("id", "starts_at", "ends_at", "comment", "created_by")


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin[MaintenanceWindow]):
    form = MatchersForm
    list_display = ("id", "starts_at", "ends_at", "reason", "created_by")
    filter_horizontal = ("systems",)


@admin.register(RateWindow)
class RateWindowAdmin(admin.ModelAdmin[RateWindow]):
    list_display = ("integration", "window", "count")
