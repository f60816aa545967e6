"""Emergency materials (plan §5) and outside help (plan §4.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warroom.people.models import Department


class Resource(models.Model):
    STATE_CHOICES = [
        ("available", _("Available")),
        ("allocated", _("Allocated")),
        ("maintenance", _("Maintenance")),
        ("retired", _("Retired")),
    ]

    kind = models.CharField(_("kind"), max_length=64, help_text=_("a material of the plan"))
    name = models.CharField(_("name"), max_length=200, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="resources")
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    state = models.CharField(_("state"), max_length=16, choices=STATE_CHOICES, default="available")
    last_checked = models.DateField(_("last checked"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.name


class ExternalContact(models.Model):
    KIND_CHOICES = [
        ("vendor", _("Vendor")),
        ("support", _("Third-party technical support")),
        ("legal", _("Legal counsel")),
        ("authority", _("Authority")),
        ("other", _("Other")),
    ]

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    covers = models.TextField(_("what they cover"), blank=True)
    contract_ref = models.CharField(_("contract or SLA"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    how_to_reach = models.TextField(_("how to reach them"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("external contact")
        verbose_name_plural = _("external contacts")

    def __str__(self) -> str:
        return self.name
