"""The software systems in the plan's scope (§1.2) and their risks (§2)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from warroom.people.models import Department


class System(models.Model):
    CRITICALITY_CHOICES = [
        ("critical", _("Critical")),
        ("high", _("High")),
        ("medium", _("Medium")),
        ("low", _("Low")),
    ]

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=64, help_text=_("a system kind of the plan"))
    owner_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="systems", verbose_name=_("owner")
    )
    criticality = models.CharField(
        _("criticality"), max_length=16, choices=CRITICALITY_CHOICES, default="medium"
    )
    description = models.TextField(_("description"), blank=True)
    backup_location = models.CharField(_("backup location"), max_length=300, blank=True)
    backup_frequency = models.CharField(_("backup frequency"), max_length=100, blank=True)
    last_restore_verified = models.DateField(_("last verified restore"), null=True, blank=True)
    runbook_links: models.JSONField[Any, Any] = models.JSONField(
        _("runbook links"), default=list, blank=True
    )
    depends_on = models.ManyToManyField(
        "self",
        through="Dependency",
        symmetrical=False,
        related_name="dependents",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("system")
        verbose_name_plural = _("systems")

    def __str__(self) -> str:
        return self.name


class Dependency(models.Model):
    """`system` needs `depends_on` to work. The graph is kept acyclic by the services."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(System, on_delete=models.CASCADE, related_name="dependent_links")

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["system", "depends_on"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(system=models.F("depends_on")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system} → {self.depends_on}"


class Risk(models.Model):
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="risks")
    category = models.CharField(_("risk category"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact_level = models.CharField(_("impact level"), max_length=64)
    # likelihood × impact weight (the most severe level weighs the most); kept in a column so
    # the register can be sorted by it in the database.
    rating = models.PositiveSmallIntegerField(_("rating"), editable=False)
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    next_review = models.DateField(_("next review"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-rating", "next_review"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="likelihood_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.title}"
