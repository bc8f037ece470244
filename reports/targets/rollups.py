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
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from mattran.models import ANCESTOR_FIELD, UnitPlacement
from mattran.placements import tree_changes_within
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
# The web's connections run without parallel workers (mattran/settings/base.py); the whole year's
# roll-up is one long statement whose CREATE TABLE … AS runs in parallel, so it gets them back.
# JIT stays off, even in the worker: compiling the pivot's wide expressions cost more than it
# saved (national data set: 9.7 s with JIT against 8.1 s without, benchmarks/RESULTS.md).
ROLLUP_SETTINGS = (("max_parallel_workers_per_gather", "2"), ("jit", "off"))


_UNITS = "indicator_id, unit_id, province_id, district_id, commune_id, area_id"


@lru_cache(maxsize=64)
def _standard_periods(year: int) -> tuple[Period, ...]:
    """The 20 standard periods of a year: months, quarters, halves, 9 months, the year."""
    standard = [Period.month(year, m) for m in range(1, 13)]
    standard += [Period(year, 3 * q - 2, 3 * q) for q in range(1, 5)]
    standard += [Period(year, 1, 6), Period(year, 7, 12), Period(year, 1, 9), Period.year_of(year)]
    return tuple(standard)


def _contains(outer: Period, inner: Period) -> bool:
    return outer.first_month <= inner.first_month and inner.last_month <= outer.last_month


@lru_cache(maxsize=256)
def _layout(year: int, within: Period | None = None):
    """What the statements of one roll-up are built from: ``(slots, targets)``.

    ``targets``: the standard periods written (all of them, or those containing ``within``, the
    period of a changed submission), each with the indexes of the slots it contains, latest first
    (latest last month, then shortest span: the order LAST reads them in). ``slots``: the
    periods a value can be reported for that some target contains, each with its last day (the
    day whose tree places its values).
    """
    standard = _standard_periods(year)
    targets = [p for p in standard if within is None or _contains(p, within)]
    slots = [p for p in standard if any(_contains(t, p) for t in targets)]
    ordered = sorted(range(len(slots)), key=lambda i: (-slots[i].last_month, slots[i].last_month - slots[i].first_month))
    return (
        tuple((str(p), p.end) for p in slots),
        tuple((str(t), tuple(i for i in ordered if _contains(t, slots[i]))) for t in targets),
    )


def _rolled_periods(year: int, within: Period | None = None) -> list[str]:
    """The standard periods of the year (containing ``within``)."""
    return sorted(name for name, _slots in _layout(year, within)[1])


def _period_literal(name: str) -> str:
    Period.parse(name)  # a standard period's notation: digits, "-", Q, H, M; safe to quote in SQL
    return f"'{name}'"


def _pivot_sql(
    year: int, where: tuple[str, list], indicators=None, within: Period | None = None, *, moves: bool = True,
) -> tuple[str, list]:
    """One wide row per indicator × unit × placement: the unit's value for each standard period of
    ``year`` side by side (``v0``, ``v1``…, in the order of ``_layout``'s targets), with ``e0``,
    ``e1``… set to 1 where that value is the one value the unit reported for exactly that period.

    Values are placed on the tree as at the end of the period they were reported for and pivoted
    into their period's slot in one pass (no join of a value to every period containing it; a
    unit has at most one value of an indicator per period, so a slot is its value or NULL); each
    target period is then read from the slots it contains: the sum (SUM), or the latest slot
    (LAST: stocks, yes/no; across placements too, for a unit moved during the year). Columns
    ``indicator_id, unit_id, province_id, district_id, commune_id, area_id, v…, e…``. Units of
    ``where`` (a condition on ``u`` or ``dv``); all rolled-up indicators, or only ``indicators``
    (``{aggregation: [id]}``, see ``_rolled_indicators``). ``moves=False``: the caller knows no
    unit changed placement during the year, so LAST needs no comparison across placements (a
    window over every stock value of the country).
    """
    slots, targets = _layout(year, within)
    slot_map = (
        "SELECT column1 AS src, column2 AS src_day FROM (VALUES "  # noqa: S608
        + ", ".join(["(%s, %s)"] * len(slots)) + ") AS slot_map"
    )
    slot_params = [x for slot in slots for x in slot]
    if indicators is None:
        type_marks = ", ".join(["%s"] * len(AGGREGATED_TYPES))
        join = f" JOIN {table_name(Indicator)} i ON i.id = dv.indicator_id"
        aggregation, aggregation_params = "i.aggregation", []
        condition, condition_params = f" AND i.value_type IN ({type_marks})", list(AGGREGATED_TYPES)
    else:
        # The few given indicators, their aggregation from the ids: the planner then drives the scan
        # from the units (a join on the indicator table makes it scan every value of the indicator).
        ids = [pk for pks in indicators.values() for pk in pks]
        if not ids:
            empty = ", ".join([f"0 AS {column}" for column in _UNITS.split(", ")] + [f"0 AS v{t}, 0 AS e{t}" for t in range(len(targets))])
            return f"SELECT {empty} WHERE 1 = 0", []  # noqa: S608
        join, (condition, condition_params) = "", in_list("dv.indicator_id", ids)
        sums, _ = in_list("dv.indicator_id", indicators.get(Aggregation.SUM, []))
        aggregation = f"CASE WHEN 1 = 1{sums} THEN %s ELSE %s END"
        aggregation_params = [*indicators.get(Aggregation.SUM, []), Aggregation.SUM, Aggregation.LAST]
    pivoted = ", ".join(f"MAX(CASE WHEN period = {_period_literal(name)} THEN v END) AS s{k}" for k, (name, _day) in enumerate(slots))
    source = (
        f"SELECT {_UNITS}, aggregation, {pivoted} FROM ("  # noqa: S608
        f" SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, dv.period,"
        f"  {aggregation} AS aggregation, COALESCE(dv.value_number, CASE WHEN dv.value_bool THEN 1 ELSE 0 END) AS v"
        f" FROM {table_name(DataValue)} dv"
        f" JOIN {table_name(Submission)} s ON s.id = dv.submission_id{join}"
        f" JOIN ({slot_map}) m ON m.src = dv.period"
        f" JOIN {table_name(UnitPlacement)} u ON u.unit_id = dv.unit_id{placement_on_sql('u.', 'm.src_day')}"
        f" WHERE dv.year = %s AND s.status IN (%s, %s){condition}"
        " AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)"
        f"{where[0]}"
        f") valued GROUP BY {_UNITS}, aggregation"
    )
    params = [*aggregation_params, *slot_params, year, *COUNTED_STATUSES, *condition_params, *where[1]]
    # Per target period t: l{t} its latest slot (and whether any slot holds a value), a{t} the sum
    # of its slots, r{t} the rank in LAST's order of the slot l{t} comes from, b{t} the best rank
    # of the unit under any placement (a unit placed twice in the year keeps a LAST value only
    # under the placement that holds its latest slot), x{t} whether its own slot is its only one.
    ranked, columns = [], []
    for t, (name, contained) in enumerate(targets):
        own = next(k for k, (slot, _day) in enumerate(slots) if slot == name)
        latest = ", ".join(f"s{k}" for k in contained)
        others = ", ".join(f"s{k}" for k in contained if k != own)
        rank = "CASE " + " ".join(f"WHEN s{k} IS NOT NULL THEN {r}" for r, k in enumerate(contained)) + " END"
        ranked += [
            f"COALESCE({latest}) AS l{t}" if len(contained) > 1 else f"{latest} AS l{t}",
            " + ".join(f"COALESCE(s{k}, 0)" for k in contained) + f" AS a{t}",
            f"{rank} AS r{t}",
            f"MIN({rank}) OVER (PARTITION BY indicator_id, unit_id) AS b{t}" if moves else f"{rank} AS b{t}",
            f"CASE WHEN s{own} IS NOT NULL" + (f" AND COALESCE({others}, NULL) IS NULL" if others else "") + f" THEN 1 ELSE 0 END AS x{t}",
        ]
        columns += [
            f"CASE WHEN aggregation = %s THEN CASE WHEN l{t} IS NOT NULL THEN a{t} END WHEN r{t} = b{t} THEN l{t} END AS v{t}",
            f"CASE WHEN aggregation = %s THEN x{t} WHEN r{t} = b{t} AND r{t} = {contained.index(own)} THEN 1 ELSE 0 END AS e{t}",
        ]
    sql = (
        f"SELECT {_UNITS}, {', '.join(columns)} FROM ("  # noqa: S608
        f"SELECT {_UNITS}, aggregation, {', '.join(ranked)} FROM ({source}) pivoted) ranked"
    )
    return sql, [Aggregation.SUM, Aggregation.SUM] * len(targets) + params


def _unpivot_sql(year: int, within: Period | None, rows: str, columns: str) -> tuple[str, list]:
    """``FROM`` clause that turns the wide rows ``rows`` (with ``v…``, ``c…`` and ``keep…`` per
    period) into one narrow row per period, with ``period``, ``value``, ``reporting`` and ``keep``."""
    _slots, targets = _layout(year, within)
    if connection.vendor == "postgresql":
        values = ", ".join(f"({_period_literal(name)}, v{t}, c{t}, keep{t})" for t, (name, _s) in enumerate(targets))
        return (
            f"SELECT {columns}, p.period, p.value, p.reporting, p.keep FROM ({rows}) wide"  # noqa: S608
            f" CROSS JOIN LATERAL (VALUES {values}) AS p (period, value, reporting, keep)"
        ), []
    picks = {
        column: "CASE p.k " + " ".join(f"WHEN {t} THEN {column}{t}" for t in range(len(targets))) + " END"
        for column in ("v", "c", "keep")
    }
    periods = " UNION ALL ".join(f"SELECT {t} AS k, {_period_literal(name)} AS period" for t, (name, _s) in enumerate(targets))
    return (
        f"SELECT {columns}, p.period, {picks['v']} AS value, {picks['c']} AS reporting, {picks['keep']} AS keep"  # noqa: S608
        f" FROM ({rows}) wide CROSS JOIN ({periods}) p"
    ), []


def _per_unit_sql(year: int, where: tuple[str, list], indicators=None, within: Period | None = None) -> tuple[str, list]:
    """Each unit's value for each standard period of ``year`` (``_pivot_sql``), one row per period:
    columns ``indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst, v, exact``."""
    pivot, params = _pivot_sql(year, where, indicators, within)
    targets = _layout(year, within)[1]
    wide = ", ".join(f"v{t}, 1 AS c{t}, e{t} AS keep{t}" for t in range(len(targets)))
    units = "indicator_id, unit_id, province_id, district_id, commune_id, area_id"
    narrow, _ = _unpivot_sql(year, within, f"SELECT {units}, {wide} FROM ({pivot}) pivot", units)  # noqa: S608
    return (
        f"SELECT {units}, period AS dst, value AS v, keep AS exact FROM ({narrow}) narrow WHERE value IS NOT NULL",  # noqa: S608
        params,
    )


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

    The units' wide rows (``_pivot_sql``) are summed up the tree while still wide, one GROUP BY
    per level, and only the result is turned into narrow rows: one row per indicator × unit ×
    period, the count of units that reported beside the sum. With ``insert=False``, only the
    SELECT (its columns are ``AGGREGATE_COLUMNS``).
    """
    # A whole year's scan asks once whether the tree changed during the year (the reform's year);
    # a scope's subtree is small enough to compare placements anyway.
    moves = scope is not None or tree_changes_within(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    pivot, params = _pivot_sql(year, subtree_filter(scope, "u."), indicators, within, moves=moves)
    targets = _layout(year, within)[1]
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
    narrow, _ = _unpivot_sql(year, within, " UNION ALL ".join(parts), "indicator_id, unit_id")
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
    periods = in_list("period", _rolled_periods(year, within)) if within is not None else (" AND year = %s", [year])
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
