from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.core.forms import DateInput
from warroom.evaluation.periods import Period, parse_period
from warroom.evaluation.services import COMMENT_LIMIT
from warroom.lib.errors import DomainError


class MonthInput(forms.TextInput):
    input_type = "month"


class PeriodForm(forms.Form):
    """A month (YYYY-MM), or a range of days; nothing means this month."""

    month = forms.CharField(label=_("Month"), required=False, widget=MonthInput)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["period"] = parse_period(
                start=data.get("start"), end=data.get("end"), month_text=data.get("month") or ""
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    @property
    def period(self) -> Period:
        """The period asked for; call after is_valid() returned True."""
        period: Period = self.cleaned_data["period"]
        return period


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How well was the incident handled? (1 = badly, 5 = very well)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
