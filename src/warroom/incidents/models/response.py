"""What the response does (plan §4.2–4.5): orders, tasks, records, the recovery checklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class BilingualTitle(models.Model):
    title_en = models.CharField(max_length=300)
    title_zh = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        lang = get_language() or "en"
        return (self.title_zh if lang.startswith("zh") else self.title_en) or self.title_en


class Order(models.Model):
    """An emergency order (plan §4.2.2) from the commander or deputy to a role or a person."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="orders"
    )
    text = models.TextField(_("order"))
    to_role = models.CharField(_("to role"), max_length=64, blank=True)
    to_person = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "issued_at"]

    def __str__(self) -> str:
        return self.text[:60]


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not needed")


class Task(BilingualTitle):
    """A task of the plan's playbook for the incident's risk category (plan §4.3)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="tasks"
    )
    code = models.CharField(max_length=64)
    phase = models.CharField(max_length=64)
    department = models.CharField(max_length=64)
    description_en = models.TextField(blank=True)
    description_zh = models.TextField(blank=True)
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="incident_tasks"
    )
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "code"], name="task_code_unique")
        ]

    @property
    def description(self) -> str:
        lang = get_language() or "en"
        return (
            self.description_zh if lang.startswith("zh") else self.description_en
        ) or self.description_en


class CheckItem(BilingualTitle):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(default=0)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "position"]


class RecoveryItem(BilingualTitle):
    """One item of the plan's recovery checklist (plan §4.5), per affected system where the
    item is a check of systems. Resolving needs every item signed (or the commander's override)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="recovery_items"
    )
    code = models.CharField(max_length=64)
    department = models.CharField(max_length=64)
    system = models.ForeignKey("catalog.System", null=True, blank=True, on_delete=models.SET_NULL)
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "id"]


class BackupRestore(models.Model):
    """A restore from backup (plan §4.3.1): which backup, and whether the restore was verified."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="restores"
    )
    system = models.ForeignKey("catalog.System", on_delete=models.PROTECT)
    backup_ref = models.CharField(_("backup used"), max_length=300)
    verified = models.BooleanField(_("restore verified"), default=False)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.backup_ref


class LeakAssessment(models.Model):
    """The data-leak assessment (plan §4.3.2): what data, how many records, the security hole,
    and legal's decision on whether authorities or users must be told."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="leak"
    )
    data_kinds = models.TextField(_("what data"), blank=True)
    records_affected = models.PositiveIntegerField(_("records affected"), null=True, blank=True)
    hole = models.TextField(_("security hole found"), blank=True)
    hole_closed_at = models.DateTimeField(_("hole closed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    notify_authorities = models.BooleanField(_("authorities must be told"), null=True)
    notify_users = models.BooleanField(_("users must be told"), null=True)
    legal_reasoning = models.TextField(_("legal reasoning"), blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"leak assessment of INC-{self.incident_id}"


class UserUpdate(models.Model):
    """A message to the users (plan §4.3.3): what happened and when it is expected resolved."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="user_updates"
    )
    text = models.TextField(_("message"))
    eta = models.DateTimeField(_("expected resolution"), null=True, blank=True)
    posted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "posted_at"]

    def __str__(self) -> str:
        return self.text[:60]
