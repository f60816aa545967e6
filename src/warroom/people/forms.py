"""Forms of the team pages: naming a team member, their backup, a person's contact methods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warroom.core.forms import set_queryset
from warroom.people.models import ContactMethod, TeamRole

User = get_user_model()


def display_name(user: AbstractBaseUser) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


def people() -> QuerySet[Any]:
    """Everyone who may be named in a form: active accounts, by username."""
    return User.objects.filter(is_active=True).order_by("username")


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown by full name (or username when there is none)."""

    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


class AddMemberForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=TeamRole.objects.none())
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    backup = PersonChoiceField(
        label=pgettext_lazy("team member", "Backup"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "role", TeamRole.objects.filter(in_plan=True))
        set_queryset(self, "person", people())
        set_queryset(self, "backup", people())


class BackupForm(forms.Form):
    backup = PersonChoiceField(
        label=pgettext_lazy("team member", "Backup"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(nobody)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "backup", people())


class ContactMethodForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80, required=False)
    url = forms.CharField(
        label=_("Apprise URL"),
        max_length=1000,
        required=False,
        help_text=_("For example mailto://user@example.com or dingtalk://token/"),
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("label", "").strip() or data.get("url", "").strip())


ContactMethodFormSet = forms.formset_factory(ContactMethodForm, extra=2, can_delete=True)


def kept_forms(formset: forms.BaseFormSet[Any]) -> list[ContactMethodForm]:
    """The rows of a valid formset to store, in order: neither ticked for deletion nor blank."""
    return [
        form
        for form in formset.forms
        if isinstance(form, ContactMethodForm)
        and not form.cleaned_data.get("DELETE")
        and not form.is_blank()
    ]


def contact_methods_initial(methods: list[ContactMethod]) -> list[dict[str, str]]:
    return [{"label": m.label, "url": m.url} for m in methods]
