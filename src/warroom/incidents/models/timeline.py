"""The append-only, hash-chained timeline of an incident."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models


class TimelineImmutable(Exception):
    """The application tried to change or delete a timeline entry."""


class TimelineEvent(models.Model):
    """One entry of an incident's timeline. Never updated or deleted by the application.

    `hash` = sha256(prev_hash + canonical JSON of the entry's content), so changing or removing
    any entry breaks the chain at that point (`warroom audit verify`).
    """

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="timeline"
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    data: models.JSONField[Any, Any] = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["incident", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="timeline_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TimelineImmutable("timeline entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TimelineImmutable("timeline entries are never deleted")

    def content(self) -> dict[str, Any]:
        return {
            "incident": self.incident_id,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor_id,
            "at": self.at.isoformat(timespec="microseconds"),
            "data": self.data,
        }

    def compute_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256((self.prev_hash + blob).encode()).hexdigest()
