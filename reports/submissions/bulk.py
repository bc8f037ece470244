"""Bulk writes of values and their history in a handful of statements (PostgreSQL and SQLite alike)."""
from django.db import connection, models

from reports.models import PlanValue

# Saving a district month touches hundreds of cells and a yearly import thousands. Django's bulk_update
# builds one CASE per field and row, and executemany sends one statement per row on psycopg2; both cost
# seconds. Multi-row INSERT … ON CONFLICT DO UPDATE statements (PostgreSQL and SQLite alike) keep a full
# save in a handful of round trips.
_ROWS_PER_STATEMENT = 500


def _columns(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


_PLAIN_FIELDS = (models.IntegerField, models.BooleanField, models.CharField, models.TextField, models.ForeignKey)


def _row_params(fields, rows, constants=None, extra=None):
    """Database parameters of ``rows`` for ``fields``: plain values as they are, others prepared by the field."""
    constants = constants or {}
    plan = []
    for f in fields:
        if f.name in constants:
            plan.append((None, f.get_db_prep_save(constants[f.name], connection)))
        elif isinstance(f, _PLAIN_FIELDS):
            plan.append((f.attname, None))
        else:
            plan.append((f.attname, f))
    params = []
    for row in rows:
        values = []
        for attname, prep in plan:
            if attname is None:
                values.append(prep)
                continue
            value = getattr(row, attname)
            values.append(value if prep is None or value is None else prep.get_db_prep_save(value, connection))
        if extra:
            values.extend(extra(row))
        params.append(values)
    return params


def _insert_many(table: str, fields, params, suffix: str = "") -> None:
    """INSERT ``params`` (one list per row) into ``table`` with multi-row VALUES, in batches."""
    quote = connection.ops.quote_name
    row_sql = "({})".format(", ".join(["%s"] * len(fields)))
    limit = connection.features.max_query_params
    per_statement = _ROWS_PER_STATEMENT if not limit else max(1, min(_ROWS_PER_STATEMENT, limit // len(fields)))
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names from model meta, quoted
        quote(table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(params), per_statement):
            batch = params[start:start + per_statement]
            flat = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + suffix, flat)


def upsert_rows(model, rows, now):
    """Insert new rows and overwrite existing ones (matched on the model's unique key) in bulk."""
    if not rows:
        return
    key = ["indicator", "unit", "year"] if model is PlanValue else ["indicator", "unit", "period"]
    fields = _columns(model)
    quote = connection.ops.quote_name
    key_columns = [model._meta.get_field(name).column for name in key]
    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.column not in key_columns
    )
    suffix = " ON CONFLICT ({}) DO UPDATE SET {}".format(", ".join(quote(c) for c in key_columns), updates)
    _insert_many(model._meta.db_table, fields, _row_params(fields, rows, {"updated_at": now}), suffix)


def insert_history(model, rows, by, now):
    """One django-simple-history record per written row (who, when, the new state), as its signals would."""
    history = model.history.model
    for kind in ("+", "~"):
        chosen = [row for row, row_kind in rows if row_kind == kind]
        if not chosen:
            continue
        fields = [f for f in history._meta.concrete_fields if f.name != "history_id"]
        constants = {"history_date": now, "history_change_reason": None, "history_user": getattr(by, "pk", None),
                     "history_type": kind, "updated_at": now}
        _insert_many(history._meta.db_table, fields, _row_params(fields, chosen, constants))
