from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.http import HttpRequest

from warroom.catalog import services
from warroom.catalog.models import Risk, System
from warroom.lib.errors import DomainError


class SystemAdminForm(forms.ModelForm[System]):
    depends_on = forms.ModelMultipleChoiceField(
        queryset=System.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("systems", is_stacked=False),
    )

    class Meta:
        model = System
        fields = (
            "name",
            "kind",
            "owner_department",
            "criticality",
            "description",
            "backup_location",
            "backup_frequency",
            "last_restore_verified",
            "runbook_links",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["depends_on"].initial = self.instance.depends_on.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The admin goes through the same rules as the API: plan kinds, acyclic dependencies.
        try:
            if "kind" in data:
                services.check_system_kind(data["kind"])
            if self.instance.pk and "depends_on" in data:
                services.check_dependencies(self.instance, data["depends_on"])
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(System)
class SystemAdmin(admin.ModelAdmin[System]):
    form = SystemAdminForm
    list_display = ("name", "kind", "owner_department", "criticality", "last_restore_verified")
    list_filter = ("kind", "criticality", "owner_department")
    search_fields = ("name", "description")

    def save_model(self, request: HttpRequest, obj: System, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in SystemAdminForm.Meta.fields}
        services.save_system(obj, depends_on=form.cleaned_data.get("depends_on") or [], **fields)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Dependencies were saved by the service with the system."""


class RiskAdminForm(forms.ModelForm[Risk]):
    class Meta:
        model = Risk
        fields = (
            "system",
            "category",
            "title",
            "likelihood",
            "impact_level",
            "mitigation",
            "owner",
            "next_review",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if "category" in data:
                services.check_risk_category(data["category"])
            if "impact_level" in data:
                services.impact_weight(data["impact_level"])
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin[Risk]):
    form = RiskAdminForm
    list_display = (
        "title",
        "system",
        "category",
        "likelihood",
        "impact_level",
        "rating",
        "next_review",
    )
    list_filter = ("category", "impact_level")
    list_select_related = ("system",)
    readonly_fields = ("rating",)

    def save_model(self, request: HttpRequest, obj: Risk, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in RiskAdminForm.Meta.fields}
        services.save_risk(obj, **fields)
