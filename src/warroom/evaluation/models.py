"""User feedback on how an incident was handled (plan §6.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    """One survey sent after an incident was resolved, and its answer once given.

    The row is written when the survey is sent, so the signed link names a row and can be
    answered once (a conditional UPDATE on `submitted_at IS NULL`), and the share of surveys
    answered can be counted. `score` and `submitted_at` stay empty until then.

    Who was asked: the reporter (`from_user`), or a subscriber of the status page
    (`subscriber`, asked by the comms app). Both count alike in the report and the evaluation;
    `source` tells them apart.
    """

    class Source(models.TextChoices):
        REPORTER = "reporter", _("reporter")
        SUBSCRIBER = "subscriber", _("status page subscriber")

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("incident"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("from"),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.REPORTER
    )
    subscriber = models.ForeignKey(
        "comms.Subscriber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("subscriber"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="feedback_score_1_5",
            ),
            # One survey per person and incident, so a repeated effect sends nothing twice.
            models.UniqueConstraint(
                fields=["incident", "from_user"],
                condition=models.Q(from_user__isnull=False),
                name="feedback_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["incident", "subscriber"],
                condition=models.Q(subscriber__isnull=False),
                name="feedback_once_per_subscriber",
            ),
        ]
        indexes = [models.Index(fields=["incident", "submitted_at"], name="feedback_incident_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.score if self.score is not None else '—'}"


# --- the trend's completed months, stored (summaries.py) -------------------------------------


class TrendMonth(models.Model):
    """One completed month of the trend as last computed (its numbers but the feedback), so
    the dashboard does not compute a year of incidents on every view. Not used once an
    incident of the month changed (TrendChange) or `valid_until` passed; written only by
    summaries.py."""

    start_at = models.DateTimeField()
    end_at = models.DateTimeField()  # exclusive
    # The `now` the plan targets were counted at; the numbers hold from then until
    # `valid_until`, the first due time then still pending (None: none was).
    computed_for = models.DateTimeField()
    valid_until = models.DateTimeField(null=True)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["start_at", "end_at"], name="trend_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.start_at:%Y-%m}"


class TrendChange(models.Model):
    """The report time of an incident that changed in a way the trend counts. Written by
    database triggers on the incident table only (summaries.py), whatever wrote the incident;
    emptied when stored months are next refreshed.

    The SQLite triggers name this table: a migration that rebuilds it on SQLite must drop
    them first (SQLite refuses to rename a rebuilt table into place while a trigger names a
    table missing then); `migrate` puts them back."""

    reported_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.reported_at:%Y-%m-%d %H:%M}"
