"""Escalation policies, the paging state of an incident, and personal notification rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class EscalationPolicy(models.Model):
    """Ordered steps: notify targets, wait N minutes, go on; the whole policy repeats K times.

    Each step's `targets` is a list of {"type": "person", "username": ...},
    {"type": "schedule", "schedule": <name>} (whoever is on call then) or
    {"type": "role", "role": <plan role code>, "backup": bool} (the holders, or their backups).
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    repeat = models.PositiveSmallIntegerField(_("repeat the policy"), default=1)
    is_default = models.BooleanField(_("default policy"), default=False)
    steps: models.JSONField[Any, Any] = models.JSONField(_("steps"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class Paging(models.Model):
    """The paging of one incident. The policy is copied here when paging starts, so editing a
    policy never changes a page under way. `next_step_at` is the database truth of the timer;
    queue tasks carry (step, round) and do nothing unless they still match."""

    class State(models.TextChoices):
        ACTIVE = "active", _("paging")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        EXHAUSTED = "exhausted", _("no one answered")
        STOPPED = "stopped", _("stopped")

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="paging"
    )
    policy_name = models.CharField(max_length=120)
    steps: models.JSONField[Any, Any] = models.JSONField(default=list)
    repeat = models.PositiveSmallIntegerField(default=0)
    step = models.PositiveSmallIntegerField(default=0)  # the next step to run
    round = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    started_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("paging")
        verbose_name_plural = _("pagings")

    def __str__(self) -> str:
        return f"paging of INC-{self.incident_id}"


class NotificationRule(models.Model):
    """How a person wants to be paged: by this contact method, after this many minutes.
    A person without rules is paged on all their contact methods at once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notification_rules")
    contact_method = models.ForeignKey(
        "people.ContactMethod", on_delete=models.CASCADE, related_name="rules"
    )
    delay_minutes = models.PositiveSmallIntegerField(_("after minutes"), default=0)

    class Meta:
        ordering = ["user", "delay_minutes", "id"]
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contact_method", "delay_minutes"], name="rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.contact_method_id} +{self.delay_minutes}m"
