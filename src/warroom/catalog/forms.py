"""Forms of the catalog pages. They parse and offer the plan's choices; the services decide
what is valid and report it as DomainError, which the views show next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.catalog.models import Risk, System
from warroom.core.forms import DateInput, set_choices, set_queryset
from warroom.people.forms import PersonChoiceField, people
from warroom.people.models import Department
from warroom.plan.queries import choices

LIKELIHOOD_CHOICES = [
    (1, _("1 – rare")),
    (2, _("2 – unlikely")),
    (3, _("3 – possible")),
    (4, _("4 – likely")),
    (5, _("5 – almost certain")),
]


class SystemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    owner_department = forms.ModelChoiceField(
        label=_("Owner department"), queryset=Department.objects.none()
    )
    criticality = forms.ChoiceField(
        label=_("Criticality"), choices=System.CRITICALITY_CHOICES, initial="medium"
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    backup_location = forms.CharField(label=_("Backup location"), max_length=300, required=False)
    backup_frequency = forms.CharField(label=_("Backup frequency"), max_length=100, required=False)
    last_restore_verified = forms.DateField(
        label=_("Last verified restore"), required=False, widget=DateInput()
    )
    runbook_links = forms.CharField(
        label=_("Runbook links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One http(s) URL per line."),
    )
    depends_on = forms.ModelMultipleChoiceField(
        label=_("Depends on"),
        queryset=System.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "The systems this one needs in order to work. Hold Ctrl (⌘ on a Mac) to choose more "
            "than one."
        ),
    )

    def __init__(self, *args: Any, lang: str, system: System | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", choices("system_kinds", lang))
        set_queryset(self, "owner_department", Department.objects.filter(in_plan=True))
        others = System.objects.order_by("name")
        set_queryset(self, "depends_on", others.exclude(pk=system.pk) if system else others)

    @staticmethod
    def initial_of(system: System) -> dict[str, Any]:
        return {
            "name": system.name,
            "kind": system.kind,
            "owner_department": system.owner_department_id,
            "criticality": system.criticality,
            "description": system.description,
            "backup_location": system.backup_location,
            "backup_frequency": system.backup_frequency,
            "last_restore_verified": system.last_restore_verified,
            "runbook_links": "\n".join(system.runbook_links),
            "depends_on": [s.pk for s in system.depends_on.all()],
        }

    def clean_runbook_links(self) -> list[str]:
        text: str = self.cleaned_data["runbook_links"]
        return [line.strip() for line in text.splitlines() if line.strip()]

    def fields_for_service(self) -> dict[str, Any]:
        """The keyword arguments of catalog.services.save_system, depends_on apart."""
        return {k: v for k, v in self.cleaned_data.items() if k != "depends_on"}


class RiskForm(forms.Form):
    system = forms.ModelChoiceField(label=_("System"), queryset=System.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Risk category"))
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"), choices=LIKELIHOOD_CHOICES, coerce=int
    )
    impact_level = forms.ChoiceField(label=_("Impact level"))
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=people().none(), required=False)
    next_review = forms.DateField(label=_("Next review"), widget=DateInput())

    def __init__(self, *args: Any, lang: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_queryset(self, "system", System.objects.order_by("name"))
        set_choices(self, "category", choices("risk_categories", lang))
        set_choices(self, "impact_level", choices("impact_levels", lang))
        set_queryset(self, "owner", people())

    @staticmethod
    def initial_of(risk: Risk) -> dict[str, Any]:
        return {
            "system": risk.system_id,
            "title": risk.title,
            "category": risk.category,
            "likelihood": risk.likelihood,
            "impact_level": risk.impact_level,
            "mitigation": risk.mitigation,
            "owner": risk.owner_id,
            "next_review": risk.next_review,
        }


class SystemFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", [("", _("all kinds")), *kinds])


RISK_SORTS = {
    "-rating": ("-rating", "next_review"),
    "rating": ("rating", "next_review"),
    "next_review": ("next_review", "-rating"),
}


class RiskFilterForm(forms.Form):
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-rating", _("rating, highest first")),
            ("rating", _("rating, lowest first")),
            ("next_review", _("next review, soonest first")),
        ],
    )

    def ordering(self) -> tuple[str, ...]:
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return RISK_SORTS.get(sort or "-rating", RISK_SORTS["-rating"])
