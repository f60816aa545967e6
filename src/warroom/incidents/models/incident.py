"""The incident itself, the systems it affects and the people taking part."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warroom.evaluation.aggregates import MinutesBetween


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSESSED = "assessed", _("Assessed")
    RESPONDING = "responding", _("Responding")
    RECOVERING = "recovering", _("Recovering")
    RESOLVED = "resolved", _("Resolved")
    REVIEWING = "reviewing", _("Reviewing")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (
    Status.REPORTED,
    Status.ACKNOWLEDGED,
    Status.ASSESSED,
    Status.RESPONDING,
    Status.RECOVERING,
)


class Incident(models.Model):
    """One emergency, from the first report to the reviewed report (plan §4).

    `status` and the phase timestamps are written only by `incidents.transitions.transition`.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    noticed_at = models.DateTimeField(_("noticed at"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_incidents",
    )
    reporter_contact = models.CharField(_("how to reach the reporter"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=32, default="web")
    plan_version = models.ForeignKey(
        "plan.PlanVersion", on_delete=models.PROTECT, related_name="incidents"
    )
    status = models.CharField(
        _("state"), max_length=16, choices=Status.choices, default=Status.REPORTED, editable=False
    )
    category = models.CharField(_("risk category"), max_length=64, blank=True)
    level = models.CharField(_("impact level"), max_length=64, blank=True)
    scope = models.TextField(_("scope of impact"), blank=True)
    # Marked by hand; `restricted` also follows the category (plan: data leak, network attack).
    marked_restricted = models.BooleanField(_("marked restricted"), default=False)
    restricted = models.BooleanField(_("restricted"), default=False, editable=False)
    is_drill = models.BooleanField(_("drill"), default=False)
    systems = models.ManyToManyField(
        "catalog.System", through="IncidentSystem", related_name="incidents", blank=True
    )

    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    assessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    responding_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Entering recovery means the cause is contained: it is the "mitigated" time of the plan.
    recovering_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewing_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Minutes from the report to each milestone (NULL until reached), computed by the database
    # on every write: the evaluation's percentiles read them instead of working out two
    # timestamps per incident and query (evaluation/queries.py).
    minutes_to_acknowledge = models.GeneratedField(
        expression=MinutesBetween(models.F("acknowledged_at"), models.F("reported_at")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    minutes_to_assess = models.GeneratedField(
        expression=MinutesBetween(models.F("assessed_at"), models.F("reported_at")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    minutes_to_mitigate = models.GeneratedField(
        expression=MinutesBetween(models.F("recovering_at"), models.F("reported_at")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    minutes_to_resolve = models.GeneratedField(
        expression=MinutesBetween(models.F("resolved_at"), models.F("reported_at")),
        output_field=models.FloatField(),
        db_persist=True,
    )

    due_acknowledge = models.DateTimeField(null=True, blank=True)
    due_assess = models.DateTimeField(null=True, blank=True)
    due_mitigate = models.DateTimeField(null=True, blank=True)
    due_resolve = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)

    cancel_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    resolve_override = models.TextField(_("reason to resolve with open checklist"), blank=True)

    # Head of the hash chain of the timeline: a deleted last entry is detected too.
    timeline_head = models.CharField(max_length=64, blank=True, editable=False)
    timeline_length = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["status", "reported_at"]),
            # reported_at first, for whatever reads by date (the status page history); then
            # every column an evaluation period reads, so PostgreSQL reads a period from the
            # index alone. (SQLite 3.40 still reads the rows: it takes no generated column
            # from an index.)
            models.Index(
                fields=[
                    "reported_at",
                    "is_drill",
                    "status",
                    "level",
                    "category",
                    "minutes_to_acknowledge",
                    "minutes_to_assess",
                    "minutes_to_mitigate",
                    "minutes_to_resolve",
                    "acknowledged_at",
                    "assessed_at",
                    "recovering_at",
                    "resolved_at",
                    "due_acknowledge",
                    "due_assess",
                    "due_mitigate",
                    "due_resolve",
                ],
                name="incident_reported_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class IncidentSystem(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE)
    system = models.ForeignKey("catalog.System", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "system"], name="incident_system_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.system_id}"


class Participant(models.Model):
    """A person on the incident's response team (or its reporter), with the plan role they
    take in it. Participants see a restricted incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user", "role"], name="participant_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"
