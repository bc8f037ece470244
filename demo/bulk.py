"""Multi-row INSERTs for the demo's many values (no model instances, no history)."""
from __future__ import annotations

from django.db import connection
from django.utils import timezone


def fast_insert(model, rows: list[dict]) -> None:
    """Insert many rows with multi-row INSERTs, skipping model instances (and history).

    Columns not given in ``rows`` take the field's default (``auto_now`` fields: now), so a
    field added to the model later with a default does not break the demo.
    """
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = [f for f in fields if f.attname in rows[0]]
    fixed = []
    for f in fields:
        if f.attname in rows[0]:
            continue
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        fixed.append((f, f.get_db_prep_save(value, connection)))
    columns = [f.column for f in given] + [f.column for f, _v in fixed]
    tail = tuple(v for _f, v in fixed)
    adapters = {
        f.attname: connection.ops.adapt_datefield_value for f in given if f.get_internal_type() == "DateField"
    }
    batch = max(1, min(500, connection.ops.bulk_batch_size(columns, rows)))
    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the backend cursor: no per-statement debug logging
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            params = []
            for row in chunk:
                for f in given:
                    value = row[f.attname]
                    if f.attname in adapters and value is not None:
                        value = adapters[f.attname](value)
                    params.append(value)
                params.extend(tail)
            cursor.execute(
                # Names come from the model's _meta; every value is a parameter.
                f"INSERT INTO {table} ({column_sql}) VALUES {', '.join([row_sql] * len(chunk))}",  # noqa: S608
                params,
            )
