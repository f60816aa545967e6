"""lib.rows.insert: the plain-SQL INSERT that writes new alerts and timeline entries stores
exactly what the ORM would, and gives every object its own id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.alerts.conftest import Make
from warroom.alerts.models import Alert, Integration
from warroom.catalog.models import System
from warroom.lib import rows

pytestmark = pytest.mark.django_db

COLUMNS = [
    "integration_id",
    "status",
    "title",
    "severity",
    "labels",
    "annotations",
    "source",
    "count",
    "first_seen",
    "last_seen",
    "resolved_at",
    "system_id",
    "category",
    "level",
    "last_payload",
]


def alert(integration: Integration, fingerprint: str, system: System | None = None) -> Alert:
    now = timezone.now().replace(microsecond=123456)
    return Alert(
        integration=integration,
        fingerprint=fingerprint,
        status="firing",
        title=f"Disk full 磁盘已满 {fingerprint}",
        severity="critical",
        labels={"alertname": "Disk", "instance": fingerprint, "中文": "值"},
        annotations={"summary": "nested", "values": [1, 2.5, None, True]},
        source="db-1",
        count=1,
        first_seen=now,
        last_seen=now + dt.timedelta(seconds=1),
        resolved_at=None,
        system=system,
        category="hardware",
        level="major",
        last_payload={"raw": {"a": [1, {"b": "c"}]}},
    )


def test_rows_are_stored_as_the_orm_stores_them(make_integration: Make, erp: System) -> None:
    integration, _ = make_integration()
    by_orm = alert(integration, "orm", erp)
    by_orm.save()
    ours = [alert(integration, f"fp-{n}", erp) for n in range(3)]
    rows.insert(ours, match="fingerprint")

    assert all(a.pk and not a._state.adding for a in ours)
    assert len({a.pk for a in ours} | {by_orm.pk}) == 4
    stored = {
        fp: values for fp, *values in Alert.objects.order_by().values_list("fingerprint", *COLUMNS)
    }
    for a in ours:
        # Its own row, under its own id; the same values as the row the ORM wrote.
        assert Alert.objects.get(pk=a.pk).fingerprint == a.fingerprint
        assert stored[a.fingerprint][4] == {**stored["orm"][4], "instance": a.fingerprint}
        assert [v for i, v in enumerate(stored[a.fingerprint]) if i not in (2, 4)] == [
            v for i, v in enumerate(stored["orm"]) if i not in (2, 4)
        ]
    # Saved objects: a later save() updates the row instead of inserting another.
    ours[0].count = 7
    ours[0].save()
    assert Alert.objects.get(pk=ours[0].pk).count == 7
    assert Alert.objects.count() == 4


def test_many_rows_go_in_several_statements_and_keep_their_ids(
    make_integration: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration, _ = make_integration()
    monkeypatch.setattr(rows, "MAX_ROWS", 2)
    ours = [alert(integration, f"many-{n}") for n in range(5)]
    rows.insert(ours, match="fingerprint")
    assert {a.pk: a.fingerprint for a in ours} == dict(
        Alert.objects.values_list("pk", "fingerprint")
    )


def test_several_rows_need_a_field_to_match_ids_by(make_integration: Make) -> None:
    integration, _ = make_integration()
    with pytest.raises(ValueError, match="unique field"):
        rows.insert([alert(integration, "a"), alert(integration, "b")])
    with pytest.raises(ValueError, match="no column"):
        rows.insert([alert(integration, "a"), alert(integration, "b")], match="nothing")
    assert not Alert.objects.exists()
