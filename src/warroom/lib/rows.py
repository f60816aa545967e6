"""INSERT without the ORM's SQL compiler, for the rows written on the alert → page hot path.

Django's compiler costs more per statement (a few tenths of a millisecond) and per row than
SQLite takes to write them, and on PostgreSQL bulk_create's UNNEST arrays are adapted element
by element. `insert` writes model instances with one multi-row `INSERT … RETURNING` per few
hundred rows, their values prepared by each field exactly as the ORM prepares them (pre_save,
then get_db_prep_save), and marks them saved. Signals are not sent: use it only for models
nothing listens to.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

MAX_ROWS = 500  # per statement


def insert(objs: Sequence[models.Model], *, match: str = "") -> None:
    """INSERT `objs` (all of one model, not yet saved) and set their primary keys.

    With more than one object, `match` names a field whose value is unique among them: ids
    are matched back by it, so the order RETURNING yields rows in does not matter.

    Less forgiving than save(): a primary key already set is ignored (the database numbers
    the row), expressions (F(), Now()) are not resolved, and a related object not yet saved
    is stored as NULL instead of raising — give it plain values and saved relations."""
    if not objs:
        return
    model = type(objs[0])
    if len(objs) > 1 and not match:
        raise ValueError("several rows need a unique field to match their ids by")
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if any(getattr(f, "generated", False) or f.has_db_default() for f in fields):
        # Their values are the database's to make: bulk_create knows how; this does not.
        raise ValueError(f"{meta.label} has generated or database-default fields")
    quote = db.ops.quote_name
    pk = quote(str(meta.pk.column))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
    matched = next((f for f in fields if f.name == match), None)
    if match and matched is None:
        raise ValueError(f"{meta.label} has no column {match!r} to match ids by")
    tail = f" RETURNING {pk}" + (f", {quote(str(matched.column))}" if matched else "")
    # SQLite caps the parameters of a statement (999 in older builds); PostgreSQL does not.
    per_statement = max(1, min(MAX_ROWS, (db.features.max_query_params or 10**6) // len(fields)))
    by_key = {getattr(obj, match): obj for obj in objs} if match else {}
    # All chunks or none: several statements run in one transaction (free inside the
    # caller's); a single one needs none, so in autocommit it is one round trip.
    several = len(objs) > per_statement
    with transaction.atomic(savepoint=False) if several else nullcontext(), db.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start : start + per_statement]
            params = [
                f.get_db_prep_save(f.pre_save(obj, True), db) for obj in chunk for f in fields
            ]
            cursor.execute(f"{head} VALUES {', '.join([row_sql] * len(chunk))}{tail}", params)
            for row in cursor.fetchall():
                (by_key[row[1]] if match else chunk[0]).pk = row[0]
        if any(obj.pk is None for obj in objs):  # inside the block: nothing is committed
            raise RuntimeError(f"{meta.label}: the database returned no id for a row")
    for obj in objs:
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
