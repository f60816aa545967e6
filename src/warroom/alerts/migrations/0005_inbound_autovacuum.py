"""The inbox table is a queue: every row is inserted, read once and deleted, hundreds of times
a second under load. PostgreSQL's default autovacuum waits for 20 % of a table to be dead
before it cleans, and until then the index the worker polls fills with dead entries: every
"is anything waiting?" read gets slower. Clean it after a fixed number of deletions instead.
SQLite (and the SQLite inbox file) reuses freed pages and needs nothing."""

from django.db import migrations

TUNE = (
    "ALTER TABLE alerts_inbound SET (autovacuum_vacuum_scale_factor = 0, "
    "autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0)"
)
RESET = (
    "ALTER TABLE alerts_inbound RESET (autovacuum_vacuum_scale_factor, "
    "autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay)"
)


def tune(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TUNE)


def reset(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_escalation_policy")]

    operations = [migrations.RunPython(tune, reset)]
