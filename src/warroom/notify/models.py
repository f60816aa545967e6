"""Delivery rows: one message to one contact method of one person, and how sending it went.

A row is the truth about a notification (the design's "truth lives in the database"): it is
written in the transaction of the change that caused it, the queue task only acts on it, and
the periodic sweep finds rows whose task was lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warroom.people.models import ContactMethod


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        DEAD = "dead", _("failed, gave up")
        UNDELIVERABLE = "undeliverable", _("undeliverable")
        # A page planned for later (a person's "after N minutes" rule) that was no longer
        # needed: the incident was acknowledged first.
        CANCELLED = "cancelled", _("cancelled")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    # The URL may hold a channel token, so it is not copied here: it is read from the contact
    # method at send time. A deleted method leaves the row without one (then undeliverable).
    contact_method = models.ForeignKey(
        ContactMethod,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("contact method"),
    )
    # Snapshots that stay readable after the method is changed or deleted; neither is secret.
    label = models.CharField(_("label"), max_length=80, blank=True)
    scheme = models.CharField(_("channel"), max_length=32, blank=True)

    kind = models.CharField(_("kind"), max_length=64, default="info")
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("body"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    # Not a foreign key: the incidents app depends on this one, not the other way round.
    incident_id = models.BigIntegerField(_("incident"), null=True, blank=True, db_index=True)
    drill = models.BooleanField(_("drill"), default=False)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # Send attempts started (counted when a worker claims the row, so a message that kills
    # the worker still runs out of attempts).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt is due; None while sending and once the row is finished.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # When the current attempt started; the sweep uses it to find attempts a dead worker left.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.status})"
