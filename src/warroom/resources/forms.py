"""Forms of the inventory (plan §5) and outside-help (plan §4.4) pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.core.forms import DateInput, set_choices, set_queryset
from warroom.people.forms import PersonChoiceField, people
from warroom.people.models import Department
from warroom.plan.queries import choices
from warroom.resources.models import ExternalContact, Resource


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, initial=1)
    state = forms.ChoiceField(label=_("State"), choices=Resource.STATE_CHOICES, initial="available")
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    custodian = PersonChoiceField(label=_("Custodian"), queryset=people().none(), required=False)
    last_checked = forms.DateField(label=_("Last checked"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, lang: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", choices("materials", lang))
        set_queryset(self, "department", Department.objects.filter(in_plan=True))
        set_queryset(self, "custodian", people())

    @staticmethod
    def initial_of(resource: Resource) -> dict[str, Any]:
        return {
            "name": resource.name,
            "kind": resource.kind,
            "quantity": resource.quantity,
            "state": resource.state,
            "location": resource.location,
            "department": resource.department_id,
            "custodian": resource.custodian_id,
            "last_checked": resource.last_checked,
            "notes": resource.notes,
        }


class ResourceStateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Resource.STATE_CHOICES)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExternalContact.KIND_CHOICES)
    covers = forms.CharField(
        label=_("What they cover"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contract_ref = forms.CharField(label=_("Contract or SLA"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=60, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    how_to_reach = forms.CharField(
        label=_("How to reach them"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Give at least a phone, an email or how to reach them."),
    )

    @staticmethod
    def initial_of(contact: ExternalContact) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in ContactForm.base_fields}
