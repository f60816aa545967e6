"""Form helpers shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates, which Django reads."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def set_choices(form: forms.BaseForm, name: str, choices: list[tuple[str, Any]]) -> None:
    """Give a ChoiceField its choices per request (the plan in force can change at any time)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
