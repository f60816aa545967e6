"""Forms of the on-call pages. Times typed into them are read in the schedule's time zone
(the views activate it), which is the zone the page shows them in."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.core.forms import DateInput, set_queryset
from warroom.oncall.models import Layer, zone_names
from warroom.people.forms import PersonChoiceField, people


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (no zone: the schedule's is meant)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zone_names())]


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Handoffs happen at the wall-clock time of this zone."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = zone_choices()


class LayerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    rotation = forms.ChoiceField(label=_("Rotation"), choices=Layer.Rotation.choices)
    shift_length = forms.IntegerField(
        label=_("Shift length (hours)"),
        min_value=1,
        max_value=Layer.MAX_SHIFT_HOURS,
        required=False,
        help_text=_("Only for a custom rotation, e.g. 12 for day and night shifts."),
    )
    handoff_time = forms.TimeField(
        label=_("Handoff time"),
        widget=TimeInput(),
        help_text=_("Local time of day in the schedule's time zone."),
    )
    starts_at = forms.DateField(
        label=_("Starts on"), widget=DateInput(), help_text=_("The day of the first handoff.")
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Higher layers override lower ones where they have someone. Empty: on top."),
    )
    members = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Usernames in rotation order, one per line."),
    )

    def usernames(self) -> list[str]:
        return [n for n in re.split(r"[\s,]+", self.cleaned_data.get("members") or "") if n]

    def fields_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("members", None)
        if data["rotation"] != Layer.Rotation.CUSTOM:
            data["shift_length"] = None
        return data

    @staticmethod
    def initial_of(layer: Layer) -> dict[str, Any]:
        return {
            "name": layer.name,
            "rotation": layer.rotation,
            "shift_length": layer.shift_length,
            "handoff_time": layer.handoff_time,
            "starts_at": layer.starts_at,
            "position": layer.position,
            "members": "\n".join(m.user.get_username() for m in layer.members.all()),
        }


class OverrideForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=people().none())
    starts_at = forms.DateTimeField(label=_("From"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "user", people())
