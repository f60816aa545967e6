"""Forms of the drill pages. Choices come from the plan (scenarios, categories, levels) per
request, since the plan in force can change at any time."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from warroom.catalog.models import System
from warroom.core.forms import DateInput, set_choices, set_queryset
from warroom.drills.models import Inject
from warroom.drills.queries import MAX_PROPOSALS
from warroom.people.forms import PersonChoiceField, people
from warroom.plan.queries import choices
from warroom.plan.schema import Plan


def scenario_choices(plan: Plan) -> list[tuple[str, str]]:
    lang = get_language() or "en"
    return [(s.code, s.title.get(lang)) for s in plan.evaluation.drills.scenarios]


class DrillForm(forms.Form):
    scenario = forms.ChoiceField(label=_("Scenario"))
    scheduled_for = forms.DateField(label=_("Scheduled for"), widget=DateInput())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the scenario's title."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scenario", scenario_choices(plan))


class ScheduleForm(forms.Form):
    from_date = forms.DateField(label=_("First drill on"), widget=DateInput())
    count = forms.IntegerField(
        label=_("How many drills"), min_value=1, max_value=MAX_PROPOSALS, initial=4
    )


class InjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inject.Kind.choices)
    offset_seconds = forms.IntegerField(label=_("Seconds after the start"), min_value=0, initial=0)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    system = forms.ModelChoiceField(
        label=_("System"), queryset=System.objects.none(), required=False
    )
    category = forms.ChoiceField(label=_("Risk category"), required=False)
    level = forms.ChoiceField(label=_("Impact level"), required=False)
    payload = forms.CharField(
        label=_("Alertmanager payload (JSON)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Only for an alert. Empty: an alert made from the fields above."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "system", System.objects.order_by("name"))
        lang = "zh-hans" if (get_language() or "").startswith("zh") else "en"
        set_choices(self, "category", [("", "—"), *choices("risk_categories", lang)])
        set_choices(self, "level", [("", "—"), *choices("impact_levels", lang)])

    def clean_payload(self) -> dict[str, Any]:
        text = self.cleaned_data.get("payload", "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("a JSON object is required"))
        return value


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = PersonChoiceField(label=_("Owner"), queryset=people().none(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", people())
