from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from warroom.lib.errors import DomainError
from warroom.resources import services
from warroom.resources.models import ExternalContact, Resource


class ResourceAdminForm(forms.ModelForm[Resource]):
    class Meta:
        model = Resource
        fields = list(services.RESOURCE_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if "kind" in data:
                services.check_material(data["kind"])
        except DomainError as exc:
            self.add_error("kind", exc.message)
        return data


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin[Resource]):
    form = ResourceAdminForm
    list_display = ("name", "kind", "quantity", "state", "department", "location", "last_checked")
    list_filter = ("kind", "state", "department")
    search_fields = ("name", "location")

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        services.save_resource(obj, **{f: form.cleaned_data[f] for f in services.RESOURCE_FIELDS})


@admin.register(ExternalContact)
class ExternalContactAdmin(admin.ModelAdmin[ExternalContact]):
    list_display = ("name", "kind", "contract_ref", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("name", "covers")
