"""Logistics (plan §4.4): resources from the inventory and outside help."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ResourceAllocation(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="allocations"
    )
    resource = models.ForeignKey(
        "resources.Resource", on_delete=models.PROTECT, related_name="allocations"
    )
    allocated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    allocated_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "allocated_at"]
        constraints = [
            # The database itself refuses a second live allocation of the same resource.
            models.UniqueConstraint(
                fields=["resource"],
                condition=models.Q(released_at__isnull=True),
                name="resource_allocated_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} → INC-{self.incident_id}"


class OutsideHelp(models.Model):
    """A request for outside help (plan §4.4.2): whom, when, what was asked, the outcome."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="outside_help"
    )
    contact = models.ForeignKey(
        "resources.ExternalContact", on_delete=models.PROTECT, related_name="requests"
    )
    asked = models.TextField(_("what was asked"))
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "requested_at"]

    def __str__(self) -> str:
        return f"{self.contact_id} for INC-{self.incident_id}"
