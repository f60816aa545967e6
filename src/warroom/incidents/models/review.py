"""The post-incident report (plan §4.6) and its action items."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Report(models.Model):
    """The post-incident report: drafted from the timeline when the incident is resolved,
    completed by the leads, approved by the commander and published. `state` changes only in
    `incidents.services.report`; an edit after approval sends it back to review."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="report"
    )
    what_happened = models.TextField(_("what happened"), blank=True)
    what_was_done = models.TextField(_("what was done"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    went_badly = models.TextField(_("what went badly"), blank=True)
    # Each target of the plan: due, reached, met — computed when the draft is generated.
    timings: models.JSONField[Any, Any] = models.JSONField(default=list)
    generated_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("review state"),
        max_length=16,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"report of INC-{self.incident_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionItem(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The plan change this action asks for (plan §6.3: lessons feed the next revision).
    plan_change = models.ForeignKey(
        "plan.PlanRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("plan change"),
    )
    # The due date each reminder was sent for: one "due soon" and one "overdue" reminder per
    # due date, so a moved due date is reminded of again and a repeated sweep sends nothing.
    reminded_soon_for = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["incident", "due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_due_idx")]

    def __str__(self) -> str:
        return self.title
