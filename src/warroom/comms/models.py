"""What the company tells its own users (plan §4.3.3): status components, public updates,
subscribers and their deliveries, and the reminders that an update is due.

Nothing here is read from an incident by the public pages except through `PublicUpdate`:
an incident without one does not exist for the outside world.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from warroom.people.models import Bilingual


class StatusComponent(Bilingual):
    """A part of the service as users know it ("Online shop", "Customer portal"), mapped to
    the catalog systems behind it. Its state on the status page comes from the incidents and
    maintenance windows of those systems."""

    systems = models.ManyToManyField(
        "catalog.System", blank=True, related_name="status_components", verbose_name=_("systems")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    visible = models.BooleanField(_("shown on the status page"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("status component")
        verbose_name_plural = _("status components")


class UpdateStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")


class PublicUpdate(models.Model):
    """A message to the company's users about an incident. Posting the first one is what
    makes the incident appear on the status page at all."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="public_updates"
    )
    status = models.CharField(_("status"), max_length=16, choices=UpdateStatus.choices)
    text_en = models.TextField(_("message (English)"), blank=True)
    text_zh = models.TextField(_("message (Chinese)"), blank=True)
    eta = models.DateTimeField(_("expected resolution"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), db_index=True)

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name = _("public update")
        verbose_name_plural = _("public updates")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text_en="", text_zh=""), name="public_update_has_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.status}"

    def text_in(self, lang: str) -> str:
        """The message in `lang` ("en" or "zh-hans"), else in the other language."""
        first, second = (
            (self.text_zh, self.text_en) if lang.startswith("zh") else (self.text_en, self.text_zh)
        )
        return first or second

    @property
    def text(self) -> str:
        return self.text_in(get_language() or "en")


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """Someone outside the company who asked to be told about incidents: an email address or
    a webhook (an Apprise URL). Only a confirmed subscriber receives updates."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The email address, or the webhook's Apprise URL (json://, jsons://, slack://, ...).
    address = models.CharField(_("address"), max_length=1000)
    # No components: every component (and restricted incidents, which name none).
    components = models.ManyToManyField(
        StatusComponent, blank=True, related_name="subscribers", verbose_name=_("components")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    # Signed into the confirmation and unsubscribe links; a new key voids the old links.
    key = models.CharField(max_length=64, default=_new_key, editable=False)
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="subscriber_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def shown_address(self) -> str:
        """The address for staff pages: a webhook URL may hold a token, so only its scheme
        and host are shown."""
        if self.kind == self.Kind.EMAIL:
            return self.address
        scheme, _sep, rest = self.address.partition("://")
        host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
        return f"{scheme}://{host}/…"


class SubscriberDelivery(models.Model):
    """One message to one subscriber, and how sending it went (the notify app's life cycle:
    pending → sending → sent, or failed → retried with backoff → dead)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        DEAD = "dead", _("failed, gave up")
        UNDELIVERABLE = "undeliverable", _("undeliverable")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    public_update = models.ForeignKey(
        PublicUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=32)  # "confirm", "already", "update", "survey"
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscriber delivery")
        verbose_name_plural = _("subscriber deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="subdelivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → subscriber {self.subscriber_id} ({self.status})"


class UpdateReminder(models.Model):
    """The communications role was reminded that the incident's next user update fell due
    at `due_at`. One row per due time is what makes the reminder sweep idempotent."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="update_reminders"
    )
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "due_at"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "due_at"], name="update_reminder_once")
        ]

    def __str__(self) -> str:
        return f"reminder INC-{self.incident_id} due {self.due_at:%Y-%m-%d %H:%M}"
