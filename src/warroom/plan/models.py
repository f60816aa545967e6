"""Stored versions of the emergency plan (plan §6.3: the plan is revised and versioned)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanVersion(models.Model):
    """One applied plan document. The highest number is the plan in force."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    source = models.TextField(_("YAML source"))
    document: models.JSONField[Any, Any] = models.JSONField(_("validated document"))
    # The validated document as YAML in schema order. PostgreSQL's jsonb does not keep key
    # order, so diffs and the parsed plan come from this text, not from `document`.
    canonical_yaml = models.TextField(_("canonical YAML"))
    diff = models.TextField(_("changes from the previous version"), blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # When the commander and deputy were told this version is due for its periodic review
    # (plan evaluation.review_every): once per version.
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    EFFECTIVE = "effective", _("Effective")


class PlanRevision(models.Model):
    """A proposed change of the plan (plan §6.3), from draft through the commander's approval
    to the day it takes effect as a new PlanVersion. States change only in `plan.revisions`.

    `warroom plan apply` (the administrator's direct path) records one too, already approved
    and effective (`direct`), so every version has the revision that made it.
    """

    source = models.TextField(_("YAML source"))
    comment = models.CharField(_("why"), max_length=500, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RevisionState.choices,
        default=RevisionState.DRAFT,
        editable=False,
    )
    # The plan in force when it was proposed: a later version makes its diff worth a re-read.
    base_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_plan_revisions",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_plan_revisions",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The last time the commander sent it back from review to draft, and why: kept (and shown)
    # after it is submitted again, as the revision's history.
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent back by"),
    )
    rejected_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    reject_reason = models.TextField(_("why it was sent back"), blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    version = models.OneToOneField(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision",
        verbose_name=_("resulting version"),
    )
    applied_at = models.DateTimeField(_("took effect at"), null=True, blank=True)
    direct = models.BooleanField(_("applied directly"), default=False)
    # Why the last attempt to apply it failed (kept until it succeeds).
    apply_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        indexes = [models.Index(fields=["state", "effective_on"], name="revision_due_idx")]

    def __str__(self) -> str:
        return f"revision {self.pk}"
