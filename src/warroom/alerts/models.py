"""Alerts from monitoring (plan §4.1): the integrations that send them, the alerts, and the
rules that decide what they open — routing rules, silences and maintenance windows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warroom.alerts.templating import clean_templates


class Kind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    PAGERDUTY = "pagerduty", _("PagerDuty Events API v2")
    GRAFANA = "grafana", _("Grafana alerting")
    GENERIC = "generic", _("Generic JSON webhook")


class Integration(models.Model):
    """One monitoring sender and its secret key.

    The key is shown once when it is made; only its SHA-256 digest (to find the integration)
    and its first characters (to tell keys apart in lists) are stored.
    """

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_rotated_at = models.DateTimeField(_("key made at"), default=timezone.now, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"), default=600, help_text=_("0 means no limit.")
    )
    auto_resolve = models.BooleanField(
        _("cancel the incident when all its alerts resolve"),
        default=False,
        help_text=_(
            "Only while it is reported or acknowledged; later it is noted on the timeline."
        ),
    )
    # Plan §6.1: alerts of a drill integration open drill incidents (marked, paged with
    # "[DRILL]" texts, kept out of the real metrics) and never join a real incident.
    drill = models.BooleanField(
        _("drill"),
        default=False,
        help_text=_("Its alerts open drill incidents, never real ones."),
    )
    default_system = models.ForeignKey(
        "catalog.System",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default system"),
    )
    default_category = models.CharField(_("default risk category"), max_length=64, blank=True)
    default_level = models.CharField(_("default impact level"), max_length=64, blank=True)
    default_group_by: models.JSONField[Any, Any] = models.JSONField(
        _("default group by labels"), default=list, blank=True
    )
    default_group_window = models.PositiveIntegerField(
        _("default group window (minutes)"), default=30
    )
    # Deleting the policy leaves the integration paging through the default policy.
    default_escalation_policy = models.ForeignKey(
        "paging.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default escalation policy"),
        help_text=_("Incidents its alerts open page through it; empty: the default policy."),
    )
    # For kind "generic": Jinja2 templates by field (title, severity, dedup_key, system,
    # category), checked when saved (see templating.clean_templates).
    templates: models.JSONField[Any, Any] = models.JSONField(
        _("templates"), default=dict, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path saves it (service, admin, shell), a template that does not compile
        # never reaches the database: it raises DomainError naming the template.
        self.templates = clean_templates(self.templates)
        super().save(*args, **kwargs)


class RateWindow(models.Model):
    """Requests of one integration in one minute: a fixed-window counter, raised with one
    conditional UPDATE (atomic on SQLite and PostgreSQL)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "window"], name="rate_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}@{self.window:%H:%M}: {self.count}"


class Alert(models.Model):
    class Status(models.TextChoices):
        FIRING = "firing", _("firing")
        RESOLVED = "resolved", _("resolved")

    integration = models.ForeignKey(
        Integration, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("integration")
    )
    # Alertmanager's or Grafana's fingerprint, the PagerDuty dedup_key, or a SHA-256 of the
    # sorted labels.
    fingerprint = models.CharField(_("fingerprint"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FIRING
    )
    title = models.CharField(_("title"), max_length=300)
    severity = models.CharField(_("severity"), max_length=32, blank=True)
    labels: models.JSONField[Any, Any] = models.JSONField(_("labels"), default=dict, blank=True)
    annotations: models.JSONField[Any, Any] = models.JSONField(
        _("annotations"), default=dict, blank=True
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    # Times warroom received it: repeats raise `count` and move `last_seen`. `first_seen` is
    # the start of the current firing episode (a resolved alert that fires again starts anew).
    count = models.PositiveIntegerField(_("count"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("incident"),
    )
    # Where routing sent it.
    system = models.ForeignKey(
        "catalog.System",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("system"),
    )
    category = models.CharField(_("risk category"), max_length=64, blank=True)
    level = models.CharField(_("impact level"), max_length=64, blank=True)
    # Routed system and the group_by label values: alerts with the same key join one incident.
    group_key = models.CharField(max_length=500, blank=True)
    # 'silence:<id>' or 'maintenance:<id>' when it was recorded without paging anyone.
    suppressed_by = models.CharField(_("suppressed by"), max_length=64, blank=True)
    last_payload: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "fingerprint"], name="alert_fingerprint_unique"
            )
        ]
        indexes = [
            models.Index(fields=["group_key", "status", "first_seen"], name="alert_group_idx"),
            models.Index(fields=["last_seen"], name="alert_last_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.status}]"


class RoutingRule(models.Model):
    """The first rule (by position) whose matchers hold for a new alert's labels decides its
    system, category, impact level, grouping and the escalation policy of the incident it
    opens; unset fields fall back to the integration's defaults. A rule without an
    integration applies to all of them."""

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120, blank=True)
    integration = models.ForeignKey(
        Integration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("only for integration"),
    )
    matchers: models.JSONField[Any, Any] = models.JSONField(_("matchers"), default=list, blank=True)
    system = models.ForeignKey(
        "catalog.System",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("system"),
    )
    category = models.CharField(_("risk category"), max_length=64, blank=True)
    level = models.CharField(_("impact level"), max_length=64, blank=True)
    group_by: models.JSONField[Any, Any] = models.JSONField(
        _("group by labels"), default=list, blank=True
    )
    group_window = models.PositiveIntegerField(_("group window (minutes)"), default=30)
    # SET_NULL, not PROTECT: a policy can always be deleted, and the rule then pages through
    # the integration's or the default policy — it still routes, and someone is still paged.
    escalation_policy = models.ForeignKey(
        "paging.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation policy"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name or f"#{self.position}"


class Silence(models.Model):
    """Alerts whose labels match, arriving between the start and the end, are recorded but
    page nobody."""

    matchers: models.JSONField[Any, Any] = models.JSONField(_("matchers"), default=list)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("silence")
        verbose_name_plural = _("silences")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="silence_active_idx")]

    def __str__(self) -> str:
        return f"silence:{self.pk}"


class MaintenanceWindow(models.Model):
    """Planned work: alerts routed to one of its systems, or whose labels match its matchers,
    are recorded but page nobody while it lasts."""

    systems = models.ManyToManyField(
        "catalog.System", blank=True, related_name="maintenance_windows", verbose_name=_("systems")
    )
    matchers: models.JSONField[Any, Any] = models.JSONField(_("matchers"), default=list, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="maintenance_active_idx")]

    def __str__(self) -> str:
        return f"maintenance:{self.pk}"


class Inbound(models.Model):
    """What one accepted request brought, waiting for the worker to route it.

    Ingestion is split in two so that a sender is answered as soon as its alerts are safe:
    the request is validated and turned into alerts, written here in one INSERT and answered
    after the commit; the worker's inbox loop then routes, groups and pages in batches
    (`alerts.inbox`). A row that cannot be processed after several attempts is kept, marked
    failed, for someone to look at — never dropped.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    items = models.JSONField()  # the request's alerts: normalize.Incoming.to_json() each
    size = models.PositiveIntegerField(default=0)  # len(items), to size batches unread
    attempts = models.PositiveSmallIntegerField(default=0)
    failed = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("inbound request")
        verbose_name_plural = _("inbound requests")
        indexes = [models.Index(fields=["failed", "id"], name="alerts_inbound_pending")]

    def __str__(self) -> str:
        return f"{self.integration_id}@{self.received_at:%Y-%m-%d %H:%M:%S}"


class InboxCursor(models.Model):
    """How far the worker has routed the inbox file (alerts.stores.FileStore): the id of the
    last row routed, written in the same transaction as what routing it wrote, so that a row
    is routed once even if the worker dies before the file forgets it."""

    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_id)
