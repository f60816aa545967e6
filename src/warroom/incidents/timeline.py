"""Appending to and verifying the hash-chained incident timelines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from warroom.incidents.models import Incident, TimelineEvent
from warroom.lib import rows


def append_event(
    incident: Incident,
    kind: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
    locked: bool = False,
) -> TimelineEvent:
    """Add an entry at the end of `incident`'s timeline and move the chain head.

    Locks the incident row, so entries of one incident are appended one at a time; the caller's
    transaction (if any) makes the entry part of the change it records.

    `locked=True` says the caller already holds the row in this transaction — it created the
    incident, or read it with select_for_update — and every entry since went through this
    same object, so its head is current and is not read again. Opening an incident appends
    three entries at once; this saves a read each. Should the object be stale after all, the
    head's update matches no row and AppendConflict rolls the change back: a chain is never
    forked.
    """
    # No savepoint inside the caller's transaction: a failure here fails that whole change,
    # and an entry is written several times on the hot path of every incident (a savepoint
    # costs two statements).
    with transaction.atomic(savepoint=False):
        if locked:
            prev_hash, length = incident.timeline_head, incident.timeline_length
        else:
            prev_hash, length = (
                Incident.objects.select_for_update()
                .values_list("timeline_head", "timeline_length")
                .get(pk=incident.pk)
            )
        event = TimelineEvent(
            incident_id=incident.pk,
            seq=length + 1,
            kind=kind,
            actor=actor,
            at=timezone.now(),
            data=data or {},
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        # Plain SQL for the INSERT and the head's UPDATE: three entries are written as every
        # incident opens, and the ORM's compiler costs more than the writes (lib.rows).
        rows.insert([event])
        if not _move_head(incident.pk, length, event):
            raise AppendConflict(f"incident {incident.pk}: its timeline moved on meanwhile")
        incident.timeline_head, incident.timeline_length = event.hash, event.seq
    return event


def _move_head(incident_id: int, length: int, event: TimelineEvent) -> bool:
    """Point the incident's head at `event` if its length is still `length`."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    sql = (
        f"UPDATE {quote(Incident._meta.db_table)} SET {quote('timeline_head')} = %s, "
        f"{quote('timeline_length')} = %s WHERE {quote('id')} = %s "
        f"AND {quote('timeline_length')} = %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [event.hash, event.seq, incident_id, length])
        return bool(cursor.rowcount)


class AppendConflict(RuntimeError):
    """An entry was to follow a head that is no longer the incident's (a stale object passed
    with locked=True): a programming error, never a user's."""


@dataclass(frozen=True)
class ChainProblem:
    incident_id: int
    seq: int
    message: str

    def __str__(self) -> str:
        return f"INC-{self.incident_id} entry #{self.seq}: {self.message}"


def verify_incident(incident: Incident) -> ChainProblem | None:
    """The first broken link of the incident's timeline, or None when it is intact."""
    previous = ""
    expected_seq = 1
    for event in TimelineEvent.objects.filter(incident=incident).order_by("seq").iterator():
        if event.seq != expected_seq:
            return ChainProblem(incident.pk, expected_seq, "entry missing (deleted)")
        if event.prev_hash != previous:
            return ChainProblem(incident.pk, event.seq, "does not follow the entry before it")
        if event.compute_hash() != event.hash:
            return ChainProblem(incident.pk, event.seq, f"{event.kind} entry was changed")
        previous = event.hash
        expected_seq += 1
    if expected_seq - 1 != incident.timeline_length or previous != incident.timeline_head:
        return ChainProblem(incident.pk, expected_seq, "entry missing at the end (deleted)")
    return None


def verify_all(incidents: Iterable[Incident] | None = None) -> list[ChainProblem]:
    """First problem of each incident whose chain is broken, in incident order."""
    items = incidents if incidents is not None else Incident.objects.order_by("pk").iterator()
    return [problem for inc in items if (problem := verify_incident(inc)) is not None]
