"""Forms of the alerts pages. They parse; the services in configure.py decide what is valid
and raise DomainError, which the views show next to the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from warroom.alerts.configure import MAX_WINDOW_MINUTES
from warroom.alerts.matchers import format_matchers, parse_matchers
from warroom.alerts.models import Integration, Kind, RoutingRule
from warroom.catalog.models import System
from warroom.core.forms import set_choices
from warroom.paging.models import EscalationPolicy
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
    default_escalation_policy = forms.ModelChoiceField(
        label=_("Escalation policy"),
        queryset=EscalationPolicy.objects.order_by("name"),
        required=False,
        empty_label=_("the default policy"),
        help_text=_("Incidents its alerts open page through it, unless a routing rule names one."),
    )
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
            "default_escalation_policy": data["default_escalation_policy"],
            "auto_resolve": data["auto_resolve"],
            "rate_limit": data["rate_limit"],
            "templates": templates,
        }


class RoutingRuleForm(forms.Form):
    """A routing rule; a new one goes after the others (the list page moves it up)."""

    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    integration = forms.ModelChoiceField(
        label=_("Only for integration"),
        queryset=Integration.objects.order_by("name"),
        required=False,
        empty_label=_("all integrations"),
    )
    matchers = forms.CharField(
        label=_("Matchers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", MATCHERS_HELP, _("Empty: every alert.")),
    )
    system = forms.ModelChoiceField(
        label=_("System"), queryset=System.objects.order_by("name"), required=False
    )
    category = forms.ChoiceField(label=_("Risk category"), required=False)
    level = forms.ChoiceField(
        label=_("Impact level"),
        required=False,
        help_text=_("The new incident's provisional level: its first deadlines come from it."),
    )
    group_by = forms.CharField(
        label=_("Group by labels"),
        required=False,
        help_text=_("Label names separated by commas, e.g. alertname, instance."),
    )
    group_window = forms.IntegerField(
        label=_("Group window (minutes)"),
        min_value=0,
        max_value=MAX_WINDOW_MINUTES,
        initial=30,
        help_text=_("A new alert joins an open incident of its group seen this recently."),
    )
    escalation_policy = forms.ModelChoiceField(
        label=_("Escalation policy"),
        queryset=EscalationPolicy.objects.order_by("name"),
        required=False,
        empty_label=_("the integration's, else the default policy"),
        help_text=_("Who an incident this rule opens pages first, and then."),
    )

    def __init__(self, *args: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = choices("risk_categories", lang)
        levels = choices("impact_levels", lang)
        blank = [("", "—")]
        set_choices(self, "category", blank + categories)
        set_choices(self, "level", blank + levels)
        # Code → name, for the list of rules beside the form (one read of the plan for both).
        self.category_names = dict(categories)
        self.level_names = dict(levels)

    @staticmethod
    def initial_of(rule: RoutingRule) -> dict[str, Any]:
        return {
            "name": rule.name,
            "integration": rule.integration_id,
            "matchers": "\n".join(format_matchers([m]) for m in rule.matchers),
            "system": rule.system_id,
            "category": rule.category,
            "level": rule.level,
            "group_by": ", ".join(rule.group_by),
            "group_window": rule.group_window,
            "escalation_policy": rule.escalation_policy_id,
        }

    def service_fields(self) -> dict[str, Any]:
        """The fields of configure.save_routing_rule. Raises DomainError for matchers that do
        not parse (named 'matchers.N')."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "integration": data["integration"],
            "matchers": parse_matchers(data["matchers"]),
            "system": data["system"],
            "category": data["category"],
            "level": data["level"],
            "group_by": [n for n in data["group_by"].replace(",", " ").split() if n],
            "group_window": data["group_window"],
            "escalation_policy": data["escalation_policy"],
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
