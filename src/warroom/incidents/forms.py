"""Forms of the incident pages. They parse and offer the choices of the incident's plan; the
services decide what is valid (and who may do it) and report it as DomainError, which the
views show next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from warroom.catalog.models import System
from warroom.core.forms import DateInput, set_choices, set_queryset
from warroom.incidents.models import Incident, Status
from warroom.incidents.models.response import TaskStatus
from warroom.incidents.models.review import ActionStatus
from warroom.people.forms import PersonChoiceField, people
from warroom.plan.models import PlanRevision
from warroom.plan.schema import Plan
from warroom.resources.models import ExternalContact, Resource

User = get_user_model()

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; it submits ISO values, which Django reads in
    the server's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _systems() -> QuerySet[System]:
    return System.objects.order_by("name")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _yes(value: str) -> bool:
    return value == "yes"


# Reporting and the list


class ReportForm(forms.Form):
    title = forms.CharField(label=_("What happened, in one line"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=_textarea(5),
        help_text=_("What you saw, error messages, who is affected."),
    )
    noticed_at = forms.DateTimeField(
        label=_("When it was noticed"), required=False, widget=DateTimeInput()
    )
    systems = forms.ModelMultipleChoiceField(
        label=_("Affected systems, if known"),
        queryset=System.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    category = forms.ChoiceField(label=_("Kind of problem, if known"), required=False)
    contact = forms.CharField(
        label=_("How to reach you"),
        max_length=200,
        required=False,
        help_text=_("Phone, extension or chat handle, for the team's questions."),
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "systems", _systems())
        set_choices(self, "category", [("", _("I don't know")), *categories])


class IncidentFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("open incidents")), ("all", _("all incidents"))],
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("any state")), *Status.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


# The lifecycle


class AssessForm(forms.Form):
    level = forms.ChoiceField(label=_("Impact level"))
    category = forms.ChoiceField(label=_("Risk category"))
    systems = forms.ModelMultipleChoiceField(
        label=_("Affected systems"),
        queryset=System.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    scope = forms.CharField(label=_("Scope of impact"), required=False, widget=_textarea())
    restricted = forms.BooleanField(
        label=_("Restricted"),
        required=False,
        help_text=_(
            "Only participants, the security lead and legal see a restricted incident. "
            "The plan restricts some risk categories anyway."
        ),
    )

    def __init__(self, *args: Any, plan: Plan, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Nothing is preselected: the lead chooses on purpose.
        levels = [(lv.code, lv.name.get(lang)) for lv in plan.impact_levels]
        set_choices(self, "level", [("", "—"), *levels])
        categories = [(c.code, c.name.get(lang)) for c in plan.risk_categories]
        set_choices(self, "category", [("", "—"), *categories])
        set_queryset(self, "systems", _systems())

    @staticmethod
    def initial_of(incident: Incident, systems: list[System]) -> dict[str, Any]:
        return {
            "level": incident.level,
            "category": incident.category,
            "systems": [s.pk for s in systems],
            "scope": incident.scope,
            "restricted": incident.marked_restricted,
        }


class ReasonForm(forms.Form):
    """A step that needs a reason: resuming the response (the transition's guard says so),
    sending the report back to draft (its service says so)."""

    reason = forms.CharField(label=_("Why"), required=False, max_length=1000)


class ResolveForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to resolve with an open recovery checklist"),
        required=False,
        widget=_textarea(2),
        help_text=_("Only the commander may override; the reason is recorded."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), required=False, max_length=1000)
    merged_into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Incident.objects.none(),
        required=False,
        empty_label=_("(not a duplicate)"),
    )

    def __init__(self, *args: Any, others: QuerySet[Incident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "merged_into", others)


# The team and orders


class TeamForm(forms.Form):
    """Tick the people of the response team; each choice is "<user id>:<role code>"."""

    members = forms.MultipleChoiceField(
        label=_("Response team"), required=False, widget=forms.CheckboxSelectMultiple
    )
    add_person = PersonChoiceField(
        label=_("Add a person"), queryset=User.objects.none(), required=False
    )
    add_role = forms.ChoiceField(label=_("in the role"), required=False)

    def __init__(
        self,
        *args: Any,
        members: list[tuple[str, str]],
        roles: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "members", members)
        set_choices(self, "add_role", [("", "—"), *roles])
        set_queryset(self, "add_person", people())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("add_person") and not data.get("add_role"):
            self.add_error("add_role", _("Choose the role the person takes."))
        return data

    def chosen(self) -> list[tuple[Any, str]]:
        """The (person, role) pairs the form names, ticked ones first."""
        pairs = [value.split(":", 1) for value in self.cleaned_data["members"]]
        found = User.objects.in_bulk([int(pk) for pk, _role in pairs])
        chosen = [(found[int(pk)], role) for pk, role in pairs if int(pk) in found]
        if self.cleaned_data.get("add_person"):
            chosen.append((self.cleaned_data["add_person"], self.cleaned_data["add_role"]))
        return chosen


class OrderForm(forms.Form):
    text = forms.CharField(label=_("Order"), widget=_textarea(2))
    to_role = forms.ChoiceField(label=_("To the role"), required=False)
    to_person = PersonChoiceField(
        label=_("or to the person"), queryset=User.objects.none(), required=False
    )
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DateTimeInput())

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "to_role", [("", "—"), *roles])
        set_queryset(self, "to_person", people())


# The response


class TaskForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    assignee = PersonChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "assignee", people())


class CheckForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)


class RestoreForm(forms.Form):
    system = forms.ModelChoiceField(label=_("System"), queryset=System.objects.none())
    backup_ref = forms.CharField(
        label=_("Which backup"),
        max_length=300,
        required=False,
        help_text=_("e.g. the snapshot's name or time"),
    )
    verified = forms.BooleanField(label=_("The restored system was verified"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "system", _systems())


class LeakForm(forms.Form):
    data_kinds = forms.CharField(label=_("What data"), required=False, widget=_textarea(2))
    records_affected = forms.IntegerField(label=_("Records affected"), required=False)
    hole = forms.CharField(label=_("Security hole found"), required=False, widget=_textarea(2))
    hole_closed_at = forms.DateTimeField(
        label=_("Hole closed at"), required=False, widget=DateTimeInput()
    )


class LegalForm(forms.Form):
    notify_authorities = forms.TypedChoiceField(
        label=_("The authorities must be told"),
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    notify_users = forms.TypedChoiceField(
        label=_("The users must be told"), choices=YES_NO, coerce=_yes, widget=forms.RadioSelect
    )
    reasoning = forms.CharField(label=_("Reasoning"), required=False, widget=_textarea(3))


class UserUpdateForm(forms.Form):
    text = forms.CharField(label=_("Message to the users"), required=False, widget=_textarea(3))
    eta = forms.DateTimeField(
        label=_("Expected resolution"), required=False, widget=DateTimeInput()
    )


class SignForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), required=False, max_length=1000)


# Logistics


class AllocateForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(
            self, "resource", Resource.objects.filter(state="available").order_by("kind", "name")
        )


class OutsideHelpForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Whom"), queryset=ExternalContact.objects.none())
    asked = forms.CharField(label=_("What was asked"), required=False, widget=_textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "contact", ExternalContact.objects.order_by("name"))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=2000)


# The review


class ReportEditForm(forms.Form):
    what_happened = forms.CharField(label=_("What happened"), required=False, widget=_textarea(6))
    what_was_done = forms.CharField(label=_("What was done"), required=False, widget=_textarea(8))
    lessons = forms.CharField(label=_("Lessons learned"), required=False, widget=_textarea(4))
    impact = forms.CharField(label=_("Impact"), required=False, widget=_textarea(3))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=_textarea(4))
    went_well = forms.CharField(label=_("What went well"), required=False, widget=_textarea(4))
    went_badly = forms.CharField(label=_("What went badly"), required=False, widget=_textarea(4))


class PlanChangeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = _("revision #%(id)s (%(state)s)") % {"id": obj.pk, "state": obj.get_state_display()}
        return f"{label} {obj.comment}".strip()


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300, required=False)
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    plan_change = PlanChangeField(
        label=_("Plan change"),
        queryset=PlanRevision.objects.none(),
        required=False,
        help_text=_("The plan revision this action asks for, if any."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", people())
        set_queryset(self, "plan_change", PlanRevision.objects.filter(direct=False))


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
