"""Indicator roll-ups in SQL: every numeric or yes/no indicator summed up the unit tree and the year.

``IndicatorAggregate`` rows are written by one INSERT … SELECT (… ON CONFLICT when scoped) that
rolls every numeric or yes/no indicator up to every ancestor unit (the unit itself included)
and to every standard period of the year (months, quarters, halves, 9 months, the year).

The statement pivots first: each indicator × unit becomes one wide row, its values in the slots
of the periods they were reported for; each standard period is read from the slots it contains;
the wide rows are summed up the tree (one GROUP BY per level) and only the result is unpivoted
into narrow rows. No value is joined to every period containing it, and nothing large is sorted.
A row that would only repeat one reported value (a unit's own value for exactly the period it
reported, with nothing below it) is not stored: ``reports.targets.selectors.aggregate_values``
reads it from the value itself. Nationally that is more than half of the roll-up (a commune's own
months, an area's yearly records). On PostgreSQL a whole year is computed by CREATE TABLE … AS,
which runs in parallel, and only the difference is written (``_year_aggregates_replace``).
"""
from __future__ import annotations

import datetime
from types import MappingProxyType

from django.db import connection, transaction
from django.utils import timezone

from mattran import copies
from mattran.models import ANCESTOR_FIELD
from mattran.placements import tree_changes_within
from programs.models import Aggregation, Indicator
from reports.constants import AGGREGATED_TYPES, COUNTED_STATUSES
from reports.models import DataValue, FormIndicator, IndicatorAggregate, Submission
from reports.periods import Period
from reports.targets.pivot import layout, per_unit_sql, pivot_sql, rolled_periods, unpivot_sql
from reports.targets.scope import (
    AGGREGATE_LEVELS,
    Scope,
    delete_stale,
    in_list,
    levels_from,
    subtree_filter,
    table_name,
)

# PostgreSQL memory for the national roll-up's hash aggregates (per sort or hash, for one statement).
ROLLUP_WORK_MEM = "64MB"
# The web's connections run without parallel workers (mattran/settings/base.py); the whole year's
# roll-up is one long statement whose CREATE TABLE … AS runs in parallel, so it gets them back.
# JIT stays off, even in the worker: compiling the pivot's wide expressions cost more than it
# saved (national data set: 9.7 s with JIT against 8.1 s without, benchmarks/RESULTS.md).
ROLLUP_SETTINGS = (("max_parallel_workers_per_gather", "2"), ("jit", "off"))


@copies.cached_per_key("reports.targets.rolled_indicators", copies.CATALOGUE)
def rolled_indicators(indicator_ids: tuple[int, ...]) -> MappingProxyType:
    """``{aggregation: (id, …)}`` of the rolled-up (numeric or yes/no) indicators among
    ``indicator_ids``: the catalogue's copy (no query while it is unchanged)."""
    rows = Indicator.objects.filter(pk__in=indicator_ids, value_type__in=AGGREGATED_TYPES).order_by("pk")
    split: dict[str, list] = {aggregation: [] for aggregation in Aggregation.values}
    for pk, aggregation in rows.values_list("pk", "aggregation"):
        split[aggregation].append(pk)
    return MappingProxyType({aggregation: tuple(ids) for aggregation, ids in split.items()})


def _indicators_filter(alias: str, indicators: dict | None) -> tuple[str, list]:
    if indicators is None:
        return "", []
    return in_list(f"{alias}indicator_id", [pk for ids in indicators.values() for pk in ids])


AGGREGATE_COLUMNS = "indicator_id, unit_id, period, year, value, reporting_units, computed_at"
AGGREGATE_UPSERT = (
    " ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET"
    " value = excluded.value, reporting_units = excluded.reporting_units,"
    " year = excluded.year, computed_at = excluded.computed_at"
)


def indicator_aggregates_sql(
    year: int, now, scope: Scope | None = None, indicators=None, *, within: Period | None = None,
    upsert: bool = True, insert: bool = True,
) -> tuple[str, list]:
    """INSERT … SELECT [… ON CONFLICT] that writes every roll-up of ``year`` (or only of the units in
    ``scope``'s subtree, from a scan of that subtree).

    The units' wide rows (``pivot_sql``) are summed up the tree while still wide, one GROUP BY
    per level, and only the result is turned into narrow rows: one row per indicator × unit ×
    period, the count of units that reported beside the sum. With ``insert=False``, only the
    SELECT (its columns are ``AGGREGATE_COLUMNS``).
    """
    # A whole year's scan asks once whether the tree changed during the year (the reform's year);
    # a scope's subtree is small enough to compare placements anyway.
    moves = scope is not None or tree_changes_within(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    pivot, params = pivot_sql(year, subtree_filter(scope, "u."), indicators, within, moves=moves)
    targets = layout(year, within)[1]
    parts = []
    for kind in levels_from(scope, AGGREGATE_LEVELS):
        column = f"{ANCESTOR_FIELD[kind]}_id"
        sums = ", ".join(
            f"SUM(v{t}) AS v{t}, COUNT(v{t}) AS c{t},"
            # Not stored: a unit's own value for exactly the period it reported, with nothing below it
            # (the reported value itself; ``aggregate_values`` reads it from DataValue).
            f" CASE WHEN COUNT(v{t}) = 0 OR (COUNT(v{t}) = 1 AND MAX(CASE WHEN unit_id = {column} THEN e{t} ELSE 0 END) = 1)"
            f" THEN 0 ELSE 1 END AS keep{t}"
            for t in range(len(targets))
        )
        parts.append(
            f"SELECT indicator_id, {column} AS unit_id, {sums} FROM pivot WHERE {column} IS NOT NULL"  # noqa: S608
            f" GROUP BY indicator_id, {column}"
        )
    narrow, _ = unpivot_sql(year, within, " UNION ALL ".join(parts), "indicator_id, unit_id")
    select = (
        f"WITH pivot AS ({pivot}) SELECT indicator_id, unit_id, period, %s AS year, value,"  # noqa: S608
        f" reporting AS reporting_units, %s AS computed_at FROM ({narrow}) rolled"
        " WHERE keep = 1"  # also the WHERE SQLite needs before ON CONFLICT in INSERT … SELECT
    )
    select_params = params + [year, now]
    if not insert:
        return select, select_params
    sql = f"INSERT INTO {table_name(IndicatorAggregate)} ({AGGREGATE_COLUMNS}) {select}"
    if upsert:
        sql += AGGREGATE_UPSERT
    return sql, select_params


def _aggregate_ancestor_sql(year: int, now, unit_id: int, children, indicators, within: Period | None) -> tuple[str, list]:
    """INSERT … ON CONFLICT of one ancestor's roll-ups in an incremental run, from rows, not its subtree.

    Its value for an indicator and period is the sum over its children of their roll-up (their
    stored row, or else their own value for exactly that period, which is not stored), plus its
    own value; the count of reporting units likewise. Same rows as a scan of its subtree.
    """
    table = table_name(IndicatorAggregate)
    own, own_params = per_unit_sql(year, (" AND dv.unit_id = %s", [unit_id]), indicators, within)
    child_ids = [child for child, _kind in children]
    ia_children, _ = in_list("ia.unit_id", child_ids)
    dv_children, _ = in_list("dv.unit_id", child_ids)
    ind_ia, ind_params = _indicators_filter("ia.", indicators)
    ind_dv, _ = _indicators_filter("dv.", indicators)
    periods = rolled_periods(year, within)
    period_marks = ", ".join(["%s"] * len(periods))
    type_marks = ", ".join(["%s"] * len(AGGREGATED_TYPES))
    sql = (
        f"INSERT INTO {table} ({AGGREGATE_COLUMNS})"  # noqa: S608
        f" WITH own AS ({own})"
        " SELECT indicator_id, %s, period, %s, value, reporting, %s FROM ("
        "  SELECT indicator_id, period, SUM(v) AS value, SUM(reporting) AS reporting FROM ("
        "   SELECT ia.indicator_id, ia.period, ia.value AS v, ia.reporting_units AS reporting, 0 AS own_exact"
        f"   FROM {table} ia WHERE ia.year = %s{ind_ia}{ia_children} AND ia.period IN ({period_marks})"
        "   UNION ALL"
        "   SELECT dv.indicator_id, dv.period, COALESCE(dv.value_number, CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END),"
        "    1, 0"
        f"   FROM {table_name(DataValue)} dv JOIN {table_name(Submission)} s ON s.id = dv.submission_id"
        f"   JOIN {table_name(Indicator)} i ON i.id = dv.indicator_id"
        f"   WHERE dv.year = %s{ind_dv}{dv_children} AND dv.period IN ({period_marks})"
        f"   AND s.status IN (%s, %s) AND i.value_type IN ({type_marks})"
        "   AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)"
        f"   AND NOT EXISTS (SELECT 1 FROM {table} x"
        "    WHERE x.indicator_id = dv.indicator_id AND x.unit_id = dv.unit_id AND x.period = dv.period)"
        "   UNION ALL SELECT indicator_id, dst, v, 1, exact FROM own"
        "  ) parts GROUP BY indicator_id, period"
        # Not stored, as in the scan: its own value for exactly that period and nothing below it.
        "  HAVING NOT (SUM(reporting) = 1 AND MAX(own_exact) = 1)"
        " ) rolled WHERE 1 = 1"
        f"{AGGREGATE_UPSERT}"
    )
    params = [
        *own_params, unit_id, year, now,
        year, *ind_params, *child_ids, *periods, True, year, *ind_params, *child_ids, *periods, *COUNTED_STATUSES,
        *AGGREGATED_TYPES,
    ]
    return sql, params


def indicator_aggregates_compute(
    *, year: int, scope: Scope | None = None, indicator_ids=None, within: Period | None = None, prune: bool = True,
) -> int:
    """Roll every numeric and yes/no indicator of ``year`` up; delete roll-ups no value supports any more.

    A whole year is replaced in one transaction (DELETE, then a plain INSERT: no conflict check per
    row; readers see the old rows until commit). Rows of indicators that are never reported (the
    registers' yearly counts) are left alone. An incremental run (``scope``) upserts the rows of
    the scope's subtree from a scan of it, then each ancestor's from the rows just below it,
    nearest first, deleting the rows each statement no longer produces before the next one reads them.
    With ``within`` (a changed submission's period), only the periods containing it are rewritten.
    With ``prune=False`` (values only started to count: no roll-up can lose its support) nothing
    is deleted.
    """
    now = timezone.now()
    if scope is None and indicator_ids is None and within is None:
        return _year_aggregates_replace(year, now)
    indicators = rolled_indicators(tuple(indicator_ids)) if indicator_ids is not None else None
    if indicators is not None and not any(indicators.values()):
        return 0  # nothing of these indicators is rolled up (ratings)
    # (statement, the units whose rows it rewrites: asked only when stale rows are deleted)
    statements = [
        (indicator_aggregates_sql(year, now, scope, indicators, within=within),
         lambda: scope.units_sql(AGGREGATE_LEVELS) if scope else ("", [])),
    ]
    if scope is not None:
        statements += [
            (_aggregate_ancestor_sql(year, now, unit_id, children, indicators, within),
             lambda unit_id=unit_id: (" AND unit_id = %s", [unit_id]))
            for unit_id, children in scope.ancestors(AGGREGATE_LEVELS)
        ]
    # Every condition on a column of the unique index (the periods name the year), so the deletes
    # probe it whatever the table's statistics say.
    periods = in_list("period", rolled_periods(year, within)) if within is not None else (" AND year = %s", [year])
    rolled = _indicators_filter("", indicators)
    written = 0
    for (sql, params), units in statements:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
        if prune:
            delete_stale(IndicatorAggregate, now, units(), periods[0] + rolled[0], periods[1] + rolled[1])
    return written


def _year_aggregates_replace(year: int, now) -> int:
    """Recompute a whole year into a temporary table, then write only the difference.

    The first run of a year inserts the rows in index order (sequential B-tree writes). A rerun
    deletes the rows no value supports any more, updates the rows whose figures changed and
    inserts the new ones, each by a hash join with the new rows: a rerun over unchanged values
    writes (and locks) nothing, so it leaves no dead rows behind, and a changed row keeps its
    page (a HOT update: the table's fillfactor leaves room, and no index covers the figures).
    ``computed_at`` is then the time a row's figures last changed. Returns the rows written.
    """
    table = table_name(IndicatorAggregate)
    select, params = indicator_aggregates_sql(year, now, insert=False)
    # Only the indicators that are reported (on a form, or with values): the registers keep
    # their own yearly counts in this table too.
    reported = (
        f"(indicator_id IN (SELECT indicator_id FROM {table_name(FormIndicator)})"  # noqa: S608
        f" OR EXISTS (SELECT 1 FROM {table_name(DataValue)} dv WHERE dv.indicator_id = {table}.indicator_id))"
    )
    same_row = "n.indicator_id = {t}.indicator_id AND n.unit_id = {t}.unit_id AND n.period = {t}.period"
    insert = f"INSERT INTO {table} ({AGGREGATE_COLUMNS}) SELECT {AGGREGATE_COLUMNS} FROM rollup_new n"  # noqa: S608
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # PostgreSQL runs an INSERT … SELECT in one process, but CREATE TABLE … AS in parallel.
            cursor.execute(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")  # hash and sort in memory, not on disk
            for name, value in ROLLUP_SETTINGS:
                cursor.execute(f"SET LOCAL {name} = {value}")
        cursor.execute("DROP TABLE IF EXISTS rollup_new")
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_new{' ON COMMIT DROP' if postgres else ''} AS {select}", params)
        cursor.execute(f"SELECT 1 FROM {table} WHERE year = %s AND {reported} LIMIT 1", [year])  # noqa: S608
        if cursor.fetchone() is None:
            cursor.execute(f"{insert} ORDER BY indicator_id, unit_id, period")
            written = cursor.rowcount
        else:
            if postgres:
                cursor.execute("ANALYZE rollup_new")  # the joins below are planned on real counts
            cursor.execute(
                f"DELETE FROM {table} WHERE year = %s AND {reported}"  # noqa: S608
                f" AND NOT EXISTS (SELECT 1 FROM rollup_new n WHERE {same_row.format(t=table)})",
                [year],
            )
            cursor.execute(
                f"UPDATE {table} SET value = n.value, reporting_units = n.reporting_units, year = n.year,"  # noqa: S608
                f" computed_at = n.computed_at FROM rollup_new n WHERE {same_row.format(t=table)}"
                f" AND ({table}.value <> n.value OR {table}.reporting_units <> n.reporting_units OR {table}.year <> n.year)"
            )
            written = cursor.rowcount
            cursor.execute(
                f"{insert} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same_row.format(t=table)})"  # noqa: S608
                " ORDER BY indicator_id, unit_id, period"
            )
            written += cursor.rowcount
        cursor.execute("DROP TABLE rollup_new")
        if postgres:
            # Fresh statistics for the incremental runs that follow (autovacuum may take minutes).
            cursor.execute(f"ANALYZE {table}")
        return written


def yearly_counts_replace(*, indicator: Indicator, year: int, counts: dict[int, tuple[int, int]]) -> int:
    """Replace the yearly roll-up of an indicator that no form reports (a register's count) with
    ``counts`` (``{unit id: (value, reporting units)}``); returns the rows written.

    The apps above write such counts only through here. ``_year_aggregates_replace`` leaves these
    rows alone: it deletes only the rows of indicators that are reported on a form or have values.
    """
    period, now = str(year), timezone.now()
    IndicatorAggregate.objects.filter(indicator=indicator, period=period).delete()
    IndicatorAggregate.objects.bulk_create(
        [
            IndicatorAggregate(
                indicator=indicator, unit_id=unit_id, period=period, year=year,
                value=value, reporting_units=units, computed_at=now,
            )
            for unit_id, (value, units) in counts.items()
        ],
        batch_size=1000,
    )
    return len(counts)
