"""Drills (plan §6.1): the calendar, each drill's injects, its score and its findings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Drill(models.Model):
    """One exercise of a scenario of the plan.

    `status` changes only in `services._move` (planned → running → finished, or → cancelled);
    `score` is written when the drill finishes (see scoring.py for its shape).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    scenario = models.CharField(_("scenario"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    scheduled_for = models.DateField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    # The plan version in force when the drill was planned, then the one it ran under.
    plan_version = models.ForeignKey(
        "plan.PlanVersion",
        on_delete=models.PROTECT,
        related_name="drills",
        verbose_name=_("plan version"),
    )
    notes = models.TextField(_("notes"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    score: models.JSONField[Any, Any] = models.JSONField(
        _("score"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    finished_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        indexes = [models.Index(fields=["status", "scheduled_for"], name="drill_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.display_title}"

    @property
    def reference(self) -> str:
        return f"DRILL-{self.pk}"

    @property
    def display_title(self) -> str:
        """The title given, else the scenario's title in the active language (from the plan
        version the drill belongs to), else the scenario code."""
        if self.title:
            return self.title
        from warroom.plan.queries import plan_of

        scenario = next(
            (
                s
                for s in plan_of(self.plan_version).evaluation.drills.scenarios
                if s.code == self.scenario
            ),
            None,
        )
        return scenario.title.get(get_language() or "en") if scenario else self.scenario

    @property
    def percent(self) -> float | None:
        return self.score.get("percent") if self.score else None


class Inject(models.Model):
    """Something that happens to the team during a drill, `offset_seconds` after its start: an
    alert posted to the drills integration's webhook, or a report as a person would make it.

    `due_at` is set when the drill starts; `sent_at` is the claim of the one task that sends
    it (a conditional UPDATE, so a doubled task sends nothing); `done_at` and `incident` say
    what came of it, `error` why it failed.
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("Monitoring alert")
        REPORT = "report", _("Report by a person")

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    offset_seconds = models.PositiveIntegerField(_("seconds after the start"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ALERT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    system = models.ForeignKey(
        "catalog.System",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("system"),
    )
    category = models.CharField(_("risk category"), max_length=64, blank=True)
    level = models.CharField(_("impact level"), max_length=64, blank=True)
    # For an alert: an Alertmanager (version 4) payload to send instead of the one made from
    # the fields above. Its fingerprints are replaced, so each inject is an alert of its own.
    payload: models.JSONField[Any, Any] = models.JSONField(_("payload"), default=dict, blank=True)

    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # "http" (the webhook over the network) or "in_process" (the same ingestion service,
    # called directly when no web server answered), "report" for a report.
    sent_via = models.CharField(max_length=16, blank=True, editable=False)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drill_injects",
        editable=False,
    )
    error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["drill", "offset_seconds", "id"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")
        indexes = [models.Index(fields=["sent_at", "due_at"], name="inject_due_idx")]

    def __str__(self) -> str:
        return f"+{self.offset_seconds}s {self.kind}: {self.title}"


class Finding(models.Model):
    """Something the drill showed must change: the drill's own action item.

    Not an incidents ActionItem, which belongs to an incident; a finding belongs to the drill,
    whatever incidents (if any) the drill opened.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    owner = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drill_findings",
        verbose_name=pgettext_lazy("person", "owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["drill", "due_date", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]
