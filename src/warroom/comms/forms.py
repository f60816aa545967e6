"""Forms of the comms pages: a public update, a status component, a subscription."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.catalog.models import System
from warroom.comms.models import StatusComponent, UpdateStatus
from warroom.incidents.forms import DateTimeInput


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PublicUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=UpdateStatus.choices)
    text_zh = forms.CharField(label=_("Message (Chinese)"), required=False, widget=_textarea(3))
    text_en = forms.CharField(label=_("Message (English)"), required=False, widget=_textarea(3))
    eta = forms.DateTimeField(
        label=_("Expected resolution"), required=False, widget=DateTimeInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text_en") or "").strip() and not (data.get("text_zh") or "").strip():
            self.add_error("text_zh", _("Write the message in at least one language."))
        return data


class ComponentForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), required=False, max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    systems = forms.ModelMultipleChoiceField(
        label=_("Systems"),
        queryset=System.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The catalog systems behind this part of the service."),
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    visible = forms.BooleanField(label=_("Shown on the status page"), required=False, initial=True)

    @classmethod
    def of(cls, component: StatusComponent) -> ComponentForm:
        return cls(
            initial={
                "name_zh": component.name_zh,
                "name_en": component.name_en,
                "systems": list(component.systems.all()),
                "position": component.position,
                "visible": component.visible,
            }
        )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False)
    webhook = forms.CharField(
        label=_("Or a webhook URL"),
        required=False,
        max_length=1000,
        help_text=_(
            "An https:// URL that receives JSON, or an Apprise URL (json://, slack://, …)."
        ),
    )
    components = forms.ModelMultipleChoiceField(
        label=_("Only these components"),
        queryset=StatusComponent.objects.filter(visible=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every component."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if bool(data.get("email")) == bool((data.get("webhook") or "").strip()):
            raise forms.ValidationError(_("Give an email address or a webhook URL (one of them)."))
        return data
