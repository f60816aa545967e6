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

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"v{self.number}"
