"""The incident page's forms by name, made on first use with the incident's plan and its
current values as initial data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms

from warroom.incidents import forms as f

if TYPE_CHECKING:
    from warroom.incidents.views.page import IncidentPage


class PageForms:
    """The page's forms by name, unbound unless a posted one with errors was kept: templates
    read `page.forms.assess`."""

    def __init__(self, page: IncidentPage) -> None:
        self.page = page
        self.bound: dict[str, forms.BaseForm] = {}
        self.made: dict[str, forms.BaseForm] = {}

    def __getitem__(self, name: str) -> forms.BaseForm:
        if name in self.bound:
            return self.bound[name]
        if name not in self.made:
            self.made[name] = self.make(name)
        return self.made[name]

    def make(self, name: str) -> forms.BaseForm:
        page = self.page
        makers: dict[str, Callable[[], forms.BaseForm]] = {
            "assess": lambda: f.AssessForm(
                plan=page.plan,
                lang=page.lang,
                initial=f.AssessForm.initial_of(page.incident, page.systems),
            ),
            "resume": f.ReasonForm,
            "resolve": f.ResolveForm,
            "cancel": lambda: f.CancelForm(others=page.other_open_incidents()),
            "team": lambda: f.TeamForm(
                members=page.team_choices[0],
                roles=page.role_choices,
                initial={"members": page.team_choices[1]},
            ),
            "order": lambda: f.OrderForm(roles=page.role_choices),
            "restore": lambda: f.RestoreForm(
                initial={"system": page.systems[0].pk} if page.systems else None
            ),
            "leak": lambda: f.LeakForm(initial=self._leak_initial()),
            "legal": f.LegalForm,
            "user_update": f.UserUpdateForm,
            "allocate": f.AllocateForm,
            "outside_help": f.OutsideHelpForm,
            "report": lambda: f.ReportEditForm(initial=self._report_initial()),
            "action_item": f.ActionItemForm,
            "reject_report": f.ReasonForm,
        }
        return makers[name]()

    def _leak_initial(self) -> dict[str, Any]:
        leak = self.page.leak
        if leak is None:
            return {}
        return {
            "data_kinds": leak.data_kinds,
            "records_affected": leak.records_affected,
            "hole": leak.hole,
            "hole_closed_at": leak.hole_closed_at,
        }

    def _report_initial(self) -> dict[str, Any]:
        report = self.page.report
        if report is None:
            return {}
        return {
            "what_happened": report.what_happened,
            "what_was_done": report.what_was_done,
            "lessons": report.lessons,
            "impact": report.impact,
            "root_cause": report.root_cause,
            "went_well": report.went_well,
            "went_badly": report.went_badly,
        }
