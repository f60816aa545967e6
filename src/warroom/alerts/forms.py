"""Forms of the alerts pages. They parse; the services in configure.py decide what is valid
and raise DomainError, which the views show next to the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warroom.alerts.models import Kind
from warroom.catalog.models import System
from warroom.core.forms import set_choices
from warroom.plan.queries import choices


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker (local time; Django reads its ISO value)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


MATCHERS_HELP = _(
    'One per line: label="value", label!="value", label=~"regex" or label!~"regex". '
    "Regular expressions match the whole value."
)
DURATIONS = [
    (60, _("1 hour")),
    (120, _("2 hours")),
    (240, _("4 hours")),
    (480, _("8 hours")),
    (1440, _("1 day")),
    (4320, _("3 days")),
    (10080, _("1 week")),
]


class IntegrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Sender"), choices=Kind.choices)
    default_system = forms.ModelChoiceField(
        label=_("System"),
        queryset=System.objects.order_by("name"),
        required=False,
        help_text=_("Alerts no routing rule places go to this system."),
    )
    default_category = forms.ChoiceField(label=_("Risk category"), required=False)
    default_level = forms.ChoiceField(label=_("Impact level"), required=False)
    auto_resolve = forms.BooleanField(
        label=_("Cancel the incident when all its alerts resolve"),
        required=False,
        help_text=_("Only while it is reported or acknowledged."),
    )
    rate_limit = forms.IntegerField(
        label=_("Requests per minute"), min_value=0, initial=600, help_text=_("0: no limit.")
    )
    title = forms.CharField(
        label=_("Title template"),
        required=False,
        help_text=_("Generic webhooks only: Jinja2, e.g. {{ check.name }} is {{ state }}"),
    )
    severity = forms.CharField(label=_("Severity template"), required=False)
    dedup_key = forms.CharField(label=_("Dedup key template"), required=False)
    system = forms.CharField(label=_("System template"), required=False)
    category = forms.CharField(label=_("Category template"), required=False)
    status = forms.CharField(
        label=_("Status template"),
        required=False,
        help_text=_('Renders "resolved" or "ok" to resolve the alert.'),
    )

    TEMPLATE_FIELDS = ("title", "severity", "dedup_key", "system", "category", "status")

    def __init__(self, *args: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        set_choices(self, "default_category", blank + choices("risk_categories", lang))
        set_choices(self, "default_level", blank + choices("impact_levels", lang))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        templates = {name: data[name] for name in self.TEMPLATE_FIELDS if data.get(name)}
        return {
            "default_system": data["default_system"],
            "default_category": data["default_category"],
            "default_level": data["default_level"],
            "auto_resolve": data["auto_resolve"],
            "rate_limit": data["rate_limit"],
            "templates": templates,
        }


class SilenceForm(forms.Form):
    matchers = forms.CharField(
        label=_("Matchers"), widget=forms.Textarea(attrs={"rows": 3}), help_text=MATCHERS_HELP
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), required=False, widget=DateTimeInput(), help_text=_("Empty: now.")
    )
    duration = forms.TypedChoiceField(label=_("Lasts"), choices=DURATIONS, coerce=int, initial=120)
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        start = self.cleaned_data["starts_at"] or timezone.now()
        return start, start + dt.timedelta(minutes=self.cleaned_data["duration"])


class MaintenanceForm(forms.Form):
    systems = forms.ModelMultipleChoiceField(
        label=_("Systems"),
        queryset=System.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    matchers = forms.CharField(
        label=_("Or alerts matching"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=MATCHERS_HELP,
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), ("firing", _("firing")), ("resolved", _("resolved"))],
    )
