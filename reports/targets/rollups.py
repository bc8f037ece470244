"""Indicator roll-ups in SQL: every numeric or yes/no indicator summed up the unit tree and the year.

``IndicatorAggregate`` rows are written by one INSERT … SELECT (… ON CONFLICT when scoped) that
rolls every numeric or yes/no indicator up to every ancestor unit (the unit itself included)
and to every standard period of the year (months, quarters, halves, 9 months, the year).
A row that would only repeat one reported value (a unit's own value for exactly the period it
reported, with nothing below it) is not stored: ``reports.targets.selectors.aggregate_values``
reads it from the value itself. Nationally that is more than half of the roll-up (a commune's own
months, an area's yearly records). On PostgreSQL a whole year is computed by CREATE TABLE … AS,
which runs in parallel, and then inserted in index order.
"""
from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from mattran.models import ANCESTOR_FIELD, UnitPlacement
from programs.models import Aggregation, Indicator
from reports.constants import AGGREGATED_TYPES, COUNTED_STATUSES
from reports.models import DataValue, FormIndicator, IndicatorAggregate, Submission
from reports.periods import Period
from reports.targets.scope import (
    AGGREGATE_LEVELS,
    Scope,
    delete_stale,
    in_list,
    levels_from,
    placement_on_sql,
    subtree_filter,
    table_name,
)

# PostgreSQL memory for the national roll-up's hash aggregates (per sort or hash, for one statement).
ROLLUP_WORK_MEM = "64MB"
# The web's connections run without JIT or parallel workers (mattran/settings/base.py); the whole
# year's roll-up is one long statement whose CREATE TABLE … AS runs in parallel, so it gets them back.
ROLLUP_SETTINGS = (("max_parallel_workers_per_gather", "2"), ("jit", "on"))


@lru_cache(maxsize=256)
def _period_map(year: int, within: Period | None = None) -> tuple[tuple[str, str, int, int, datetime.date], ...]:
    """(source period, standard period containing it, source's last month, source's length, source's
    last day: the day whose tree places its values) for the year.

    With ``within`` (the period of a changed submission), only the standard periods containing it:
    the only roll-ups its values take part in.
    """
    standard = [Period.month(year, m) for m in range(1, 13)]
    standard += [Period(year, 3 * q - 2, 3 * q) for q in range(1, 5)]
    standard += [Period(year, 1, 6), Period(year, 7, 12), Period(year, 1, 9), Period.year_of(year)]
    pairs = []
    for target in standard:
        if within is not None and not (target.first_month <= within.first_month and within.last_month <= target.last_month):
            continue
        for source in standard:
            if target.first_month <= source.first_month and source.last_month <= target.last_month:
                last_day = datetime.date(year, source.last_month, calendar.monthrange(year, source.last_month)[1])
                pairs.append((str(source), str(target), source.last_month, source.last_month - source.first_month, last_day))
    return tuple(pairs)


def _rolled_periods(year: int, within: Period | None = None) -> list[str]:
    """The standard periods of the year (containing ``within``)."""
    return sorted({dst for _src, dst, *_rest in _period_map(year, within)})


def _per_unit_sql(year: int, where: tuple[str, list], indicators=None, within: Period | None = None) -> tuple[str, list]:
    """Each unit's value for each standard period of ``year`` (units of ``where``, a condition on ``u``
    or ``dv``): the sum of what it reported inside the period (SUM), or its latest value inside the
    period (LAST: stocks, yes/no). Columns ``indicator_id, unit_id, province_id, district_id,
    commune_id, area_id, dst, v, exact``; ``exact``: the value is the one value the unit reported for
    exactly that period. All rolled-up indicators, or only ``indicators`` (``{aggregation: [id]}``,
    see ``_rolled_indicators``); all standard periods, or those containing ``within``."""
    pairs = _period_map(year, within)
    # A VALUES list (not a UNION of SELECTs) so PostgreSQL estimates it and hash-joins on the period.
    map_sql = (
        "SELECT column1 AS src, column2 AS dst, column3 AS src_end, column4 AS src_span, column5 AS src_day FROM (VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s, %s)"] * len(pairs)) + ") AS period_map"
    )
    map_params = [x for pair in pairs for x in pair]
    if indicators is None:
        type_marks = ", ".join(["%s"] * len(AGGREGATED_TYPES))
        kinds = {
            aggregation: (
                f" JOIN {table_name(Indicator)} i ON i.id = dv.indicator_id",
                f" AND i.value_type IN ({type_marks}) AND i.aggregation = %s", [*AGGREGATED_TYPES, aggregation],
            )
            for aggregation in Aggregation.values
        }
    else:
        # The few given indicators by aggregation: the planner then drives the scan from the units
        # (a join on the indicator table makes it scan every value of the indicator instead).
        kinds = {
            aggregation: ("", *in_list("dv.indicator_id", ids)) for aggregation, ids in indicators.items() if ids
        }

    def source(aggregation: str, extra_columns: str) -> tuple[str, list]:
        join, condition, condition_params = kinds[aggregation]
        sql = (
            "SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, m.dst,"  # noqa: S608
            f" COALESCE(dv.value_number, CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END) AS v,"
            f" CASE WHEN dv.period = m.dst THEN 1 ELSE 0 END AS exact{extra_columns}"
            f" FROM {table_name(DataValue)} dv"
            f" JOIN {table_name(Submission)} s ON s.id = dv.submission_id{join}"
            f" JOIN ({map_sql}) m ON m.src = dv.period"
            f" JOIN {table_name(UnitPlacement)} u ON u.unit_id = dv.unit_id{placement_on_sql('u.', 'm.src_day')}"
            f" WHERE dv.year = %s AND s.status IN (%s, %s){condition}"
            " AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)"
            f"{where[0]}"
        )
        params = [True, *map_params, year, *COUNTED_STATUSES, *condition_params, *where[1]]
        return sql, params

    # Only LAST needs a window.
    columns = "indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst"
    parts, params = [], []
    if Aggregation.SUM in kinds:
        sum_sql, sum_params = source(Aggregation.SUM, "")
        parts.append(
            f"SELECT {columns}, SUM(v) AS v, CASE WHEN COUNT(*) = 1 THEN MAX(exact) ELSE 0 END AS exact"  # noqa: S608
            f" FROM ({sum_sql}) summed GROUP BY {columns}"
        )
        params += sum_params
    if Aggregation.LAST in kinds:
        last_sql, last_params = source(
            Aggregation.LAST,
            ", ROW_NUMBER() OVER (PARTITION BY dv.indicator_id, dv.unit_id, m.dst ORDER BY m.src_end DESC, m.src_span) AS rn",
        )
        parts.append(f"SELECT {columns}, v, exact FROM ({last_sql}) ranked WHERE rn = 1")  # noqa: S608
        params += last_params
    if not parts:
        empty = ", ".join(f"0 AS {column}" for column in columns.replace("dst", "").split(", ") if column)
        return f"SELECT {empty}, '' AS dst, 0 AS v, 0 AS exact WHERE 1 = 0", []  # noqa: S608
    return " UNION ALL ".join(parts), params


def _rolled_indicators(indicator_ids) -> dict[str, list[int]]:
    """``{aggregation: [id]}`` of the rolled-up (numeric or yes/no) indicators among ``indicator_ids``."""
    split: dict[str, list] = {aggregation: [] for aggregation in Aggregation.values}
    rows = Indicator.objects.filter(pk__in=list(indicator_ids), value_type__in=AGGREGATED_TYPES)
    for pk, aggregation in rows.values_list("pk", "aggregation"):
        split[aggregation].append(pk)
    return split


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

    With ``insert=False``, only the SELECT (its columns are ``AGGREGATE_COLUMNS``).
    """
    per_unit, per_unit_params = _per_unit_sql(year, subtree_filter(scope, "u."), indicators, within)
    parts = []
    for kind in levels_from(scope, AGGREGATE_LEVELS):
        column = f"{ANCESTOR_FIELD[kind]}_id"
        parts.append(
            f"SELECT indicator_id, {column} AS unit_id, dst AS period, SUM(v) AS value, COUNT(*) AS reporting"  # noqa: S608
            f" FROM per_unit WHERE {column} IS NOT NULL GROUP BY indicator_id, {column}, dst"
            # Not stored: a unit's own value for exactly the period it reported, with nothing below it
            # (the reported value itself; ``aggregate_values`` reads it from DataValue).
            f" HAVING NOT (COUNT(*) = 1 AND MAX(CASE WHEN per_unit.unit_id = {column} THEN exact ELSE 0 END) = 1)"
        )
    select = (
        f"WITH per_unit AS ({per_unit}) SELECT indicator_id, unit_id, period, %s AS year, value,"  # noqa: S608
        f" reporting AS reporting_units, %s AS computed_at FROM ({' UNION ALL '.join(parts)}) rolled"
        " WHERE 1 = 1"  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    )
    select_params = per_unit_params + [year, now]
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
    own, own_params = _per_unit_sql(year, (" AND dv.unit_id = %s", [unit_id]), indicators, within)
    child_ids = [child for child, _kind in children]
    ia_children, _ = in_list("ia.unit_id", child_ids)
    dv_children, _ = in_list("dv.unit_id", child_ids)
    ind_ia, ind_params = _indicators_filter("ia.", indicators)
    ind_dv, _ = _indicators_filter("dv.", indicators)
    periods = _rolled_periods(year, within)
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
    indicators = _rolled_indicators(indicator_ids) if indicator_ids is not None else None
    if indicators is not None and not any(indicators.values()):
        return 0  # nothing of these indicators is rolled up (ratings)
    statements = [
        (indicator_aggregates_sql(year, now, scope, indicators, within=within), scope.units_sql(AGGREGATE_LEVELS) if scope else ("", [])),
    ]
    if scope is not None:
        statements += [
            (_aggregate_ancestor_sql(year, now, unit_id, children, indicators, within), (" AND unit_id = %s", [unit_id]))
            for unit_id, children in scope.ancestors(AGGREGATE_LEVELS)
        ]
    # Every condition on a column of the unique index (the periods name the year), so the deletes
    # probe it whatever the table's statistics say.
    periods = in_list("period", _rolled_periods(year, within)) if within is not None else (" AND year = %s", [year])
    rolled = _indicators_filter("", indicators)
    written = 0
    for (sql, params), units in statements:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
        if prune:
            delete_stale(IndicatorAggregate, now, units, periods[0] + rolled[0], periods[1] + rolled[1])
    return written


def _year_aggregates_replace(year: int, now) -> int:
    table = table_name(IndicatorAggregate)
    # Only the indicators that are reported (on a form, or with values): the registers keep
    # their own yearly counts in this table too.
    delete = (
        f"DELETE FROM {table} WHERE year = %s AND (indicator_id IN (SELECT indicator_id FROM {table_name(FormIndicator)})"  # noqa: S608
        f" OR EXISTS (SELECT 1 FROM {table_name(DataValue)} dv WHERE dv.indicator_id = {table}.indicator_id))"
    )
    if connection.vendor != "postgresql":
        sql, params = indicator_aggregates_sql(year, now, upsert=False)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(delete, [year])
            cursor.execute(sql, params)
            return cursor.rowcount
    # PostgreSQL runs an INSERT … SELECT in one process, but CREATE TABLE … AS in parallel:
    # compute into a temporary table, then insert it in index order (sequential B-tree writes).
    select, params = indicator_aggregates_sql(year, now, insert=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")  # hash and sort in memory, not on disk
        for name, value in ROLLUP_SETTINGS:
            cursor.execute(f"SET LOCAL {name} = {value}")
        cursor.execute("DROP TABLE IF EXISTS rollup_new")
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_new ON COMMIT DROP AS {select}", params)
        cursor.execute(delete, [year])
        cursor.execute(
            f"INSERT INTO {table} ({AGGREGATE_COLUMNS}) SELECT {AGGREGATE_COLUMNS} FROM rollup_new"  # noqa: S608
            " ORDER BY indicator_id, unit_id, period"
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE rollup_new")
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
