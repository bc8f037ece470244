"""Target results and indicator roll-ups, computed set-based for a whole year at once.

Each target of a year is ONE SQL statement over the whole unit tree: the counted units
(kinds in ``target.counted_kinds``, active on 31 December) LEFT JOIN their counted value
(submission SUBMITTED or APPROVED; drafts and returned submissions never count), with
conditional sums GROUPED BY each ancestor column (province, district, commune) and glued
with UNION ALL, which runs unchanged on PostgreSQL and SQLite. Python only turns the
grouped rows (one per unit that has counted units below it) into ``TargetResult`` rows:
exact decisions with ``Target.meets`` and ROUND_HALF_UP percentages.

A unit with no counted unit in its subtree gets NO TargetResult row (there is nothing to
measure); pages show it as "no data". Every written row carries the run's ``computed_at``,
and rows of the same (target, year) and scope that the run did not write are deleted, so a
rerun after a crash, or after units ended, leaves exactly the rows a clean run leaves.

``IndicatorAggregate`` rows are written by one INSERT … SELECT (… ON CONFLICT when scoped) that
rolls every numeric or yes/no indicator up to every ancestor unit (the unit itself included)
and to every standard period of the year (months, quarters, halves, 9 months, the year).
A row that would only repeat one reported value (a unit's own value for exactly the period it
reported, with nothing below it) is not stored: ``aggregate_values`` reads it from the value
itself. Nationally that is more than half of the roll-up (a commune's own months, an area's
yearly records). On PostgreSQL a whole year is computed by CREATE TABLE … AS, which runs in
parallel, and then inserted in index order.
"""
from __future__ import annotations

import contextlib
import logging
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mattran.models import ANCESTOR_FIELD, Unit, UnitKind
from programs.models import Aggregation, Indicator, Operator, RatingLevel, Target, TargetCondition, ValueType

from .models import (
    ComputationRun,
    DataValue,
    FormIndicator,
    IndicatorAggregate,
    RunStatus,
    Submission,
    SubmissionStatus,
    TargetResult,
)
from .periods import Period

logger = logging.getLogger(__name__)

RUN_KIND = "targets"
COUNTED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
ENQUEUE_INTERVAL = timedelta(seconds=60)
MAX_ATTEMPTS = 3
# Levels that get a TargetResult, top down; aggregates also go down to the residential area.
RESULT_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)
AGGREGATE_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.AREA)
LEVEL_ORDER = {kind: i for i, kind in enumerate(AGGREGATE_LEVELS)}
AGGREGATED_TYPES = (ValueType.INTEGER, ValueType.DECIMAL, ValueType.BOOLEAN)
HUNDREDTH = Decimal("0.01")
# PostgreSQL memory for the national roll-up's hash aggregates (per sort or hash, for one statement).
ROLLUP_WORK_MEM = "64MB"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def targets_of_year(year: int):
    return Target.objects.filter(first_year__lte=year, last_year__gte=year).select_related("indicator", "rating_level")


def percent_of(numerator: int, denominator: int) -> Decimal | None:
    """The share in percent with two decimals, rounded half up (None when there is nothing to count)."""
    if denominator <= 0:
        return None
    return (Decimal(numerator * 100) / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- scope helpers


def _level_filters(scope: Unit | None, levels, alias: str = "") -> dict:
    """For an incremental run: the SQL condition that keeps, per level, only the groups the scope touches.

    Groups above the scope are its ancestors (their whole subtree is recounted); groups at or
    below the scope are the units inside it. Returns ``{kind: (sql, params)}``; a level the
    scope has no ancestor at (a commune directly under the province) maps to None.
    """
    if scope is None:
        return {kind: ("", []) for kind in levels}
    scope_column = f"{alias}{ANCESTOR_FIELD[scope.kind]}_id"
    filters = {}
    for kind in levels:
        if LEVEL_ORDER[kind] < LEVEL_ORDER[scope.kind]:
            ancestor_id = getattr(scope, f"{ANCESTOR_FIELD[kind]}_id")
            filters[kind] = None if ancestor_id is None else (f" AND {alias}{ANCESTOR_FIELD[kind]}_id = %s", [ancestor_id])
        else:
            filters[kind] = (f" AND {scope_column} = %s", [scope.pk])
    return filters


def _affected_units_q(scope: Unit) -> Q:
    """Units whose rows an incremental run over ``scope`` rewrites: its ancestors and its subtree."""
    ancestors = [
        getattr(scope, f"{field}_id")
        for kind, field in ANCESTOR_FIELD.items()
        if LEVEL_ORDER[kind] < LEVEL_ORDER[scope.kind] and getattr(scope, f"{field}_id")
    ]
    # One IN (subquery) the planner drives from the few affected units (an OR of a join scans the table).
    units = Unit.objects.filter(Q(pk__in=ancestors) | Q(**{ANCESTOR_FIELD[scope.kind]: scope})).values("pk")
    return Q(unit_id__in=units)


def _top_filter(scope: Unit | None, alias: str) -> tuple[str, list]:
    """Restrict the scanned units to the scope's province (or the scope itself if it has none)."""
    if scope is None:
        return "", []
    if scope.province_id:
        return f" AND {alias}province_id = %s", [scope.province_id]
    return f" AND {alias}{ANCESTOR_FIELD[scope.kind]}_id = %s", [scope.pk]


# --------------------------------------------------------------------------- targets


def _target_condition_sql(target: Target) -> tuple[str, str, list, str]:
    """(join, has-value condition, params, met expression) for the target's condition."""
    if target.condition == TargetCondition.IS_TRUE:
        return "", "dv.value_bool IS NOT NULL", [], "CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END"
    if target.condition == TargetCondition.RATING_AT_LEAST:
        join = f" JOIN {_table(RatingLevel)} rl ON rl.id = dv.rating_level_id"
        return join, "dv.rating_level_id IS NOT NULL", [], "CASE WHEN rl.rank >= %s THEN 1 ELSE 0 END"
    return "", "dv.value_number IS NOT NULL", [], "CASE WHEN dv.value_number >= %s THEN 1 ELSE 0 END"


def _target_condition_param(target: Target):
    if target.condition == TargetCondition.IS_TRUE:
        return True
    if target.condition == TargetCondition.RATING_AT_LEAST:
        return target.rating_level.rank
    return target.number_threshold


def target_counts_parts(target: Target, year: int, scope: Unit | None = None) -> tuple[str, str, list]:
    """The one aggregate of a target, in two parts: the counted units with their value (a CTE named
    ``counted``) and the UNION ALL of one GROUP BY per level giving (unit_id, denominator, reported,
    met, not_approved); params in text order."""
    join, has_value, _, met_expr = _target_condition_sql(target)
    end = year_end(year)
    kinds = [k for k in target.counted_kinds if k in ANCESTOR_FIELD]
    kind_marks = ", ".join(["%s"] * len(kinds)) or "NULL"
    top_sql, top_params = _top_filter(scope, "u.")
    counted_sql = (
        "SELECT u.province_id, u.district_id, u.commune_id,"  # noqa: S608 (names from _meta, values as params)
        " CASE WHEN v.unit_id IS NULL THEN 0 ELSE 1 END AS reported,"
        " COALESCE(v.met, 0) AS met,"
        " CASE WHEN v.status = %s THEN 1 ELSE 0 END AS pending"
        f" FROM {_table(Unit)} u LEFT JOIN ("
        f"  SELECT dv.unit_id, s.status, {met_expr} AS met"
        f"  FROM {_table(DataValue)} dv JOIN {_table(Submission)} s ON s.id = dv.submission_id{join}"
        f"  WHERE dv.indicator_id = %s AND dv.period = %s AND s.status IN (%s, %s) AND {has_value}"
        " ) v ON v.unit_id = u.id"
        f" WHERE u.kind IN ({kind_marks})"
        " AND (u.valid_from IS NULL OR u.valid_from <= %s) AND (u.valid_to IS NULL OR u.valid_to >= %s)"
        f"{top_sql}"
    )
    params = [
        SubmissionStatus.SUBMITTED, _target_condition_param(target),
        target.indicator_id, str(year), *COUNTED_STATUSES, *kinds, end, end, *top_params,
    ]
    sums = "COUNT(*) AS denominator, SUM(reported) AS reported, SUM(met) AS met, SUM(pending) AS not_approved"
    if scope is None and connection.vendor == "postgresql":
        # One pass over the counted units for all three levels (a group key of NULL is no unit).
        columns = [f"{ANCESTOR_FIELD[kind]}_id" for kind in reversed(RESULT_LEVELS)]
        key = f"COALESCE({', '.join(columns)})"
        sets = ", ".join(f"({column})" for column in columns)
        grouped = f"SELECT {key} AS unit_id, {sums} FROM counted GROUP BY GROUPING SETS ({sets}) HAVING {key} IS NOT NULL"  # noqa: S608
        return counted_sql, grouped, params
    parts, part_params = [], []
    for kind, level_filter in _level_filters(scope, RESULT_LEVELS, alias="").items():
        if level_filter is None:
            continue
        column = f"{ANCESTOR_FIELD[kind]}_id"
        parts.append(
            f"SELECT {column} AS unit_id, {sums} FROM counted"  # noqa: S608
            f" WHERE {column} IS NOT NULL{level_filter[0]} GROUP BY {column}"
        )
        part_params += level_filter[1]
    return counted_sql, " UNION ALL ".join(parts), params + part_params


def percent_cents_sql(numerator: str, denominator: str) -> str:
    """SQL for the percentage in hundredths, rounded half up, in integer arithmetic (same as ``percent_of``)."""
    return f"(({numerator}) * 20000 + ({denominator})) / (2 * ({denominator}))"


def achieved_sql(target: Target, numerator: str, denominator: str) -> tuple[str, list]:
    """SQL for ``Target.meets`` with exact integers: num·100 > threshold·den ⇔ num·10000 > threshold_cents·den."""
    threshold_cents = int(target.threshold_percent * 100)
    if Decimal(threshold_cents) != target.threshold_percent * 100:  # the field has two decimals: never happens
        raise ValueError("threshold_percent must have at most two decimals")
    comparison = ">" if target.operator == Operator.GT else ">="
    sql = (
        f"CASE WHEN ({denominator}) > 0 AND ({numerator}) * 10000 {comparison} %s * ({denominator})"
        " THEN %s ELSE %s END"
    )
    return sql, [threshold_cents, True, False]


def target_results_compute(*, target: Target, year: int, scope: Unit | None = None) -> int:
    """Write the target's results for ``year`` for every unit (or those ``scope`` touches); returns rows written.

    One INSERT … SELECT … ON CONFLICT: the counts, the percentage (ROUND_HALF_UP, integer
    arithmetic) and the exact decision of ``Target.meets`` are all computed in the database, so a
    national run moves no rows through Python.
    """
    now = timezone.now()
    counted_sql, union_sql, counts_params = target_counts_parts(target, year, scope)
    achieved, achieved_params = achieved_sql(target, "met", "denominator")
    sql = (
        f"INSERT INTO {_table(TargetResult)} (target_id, unit_id, year, numerator, denominator, percent, achieved,"  # noqa: S608
        " due, not_reported, not_approved, computed_at)"
        f" WITH counted AS ({counted_sql}), grouped AS ({union_sql})"
        f" SELECT %s, unit_id, %s, met, denominator, {percent_cents_sql('met', 'denominator')} / 100.0, {achieved},"
        " %s, denominator - reported, not_approved, %s FROM grouped WHERE 1 = 1"
        " ON CONFLICT (target_id, unit_id, year) DO UPDATE SET numerator = excluded.numerator,"
        " denominator = excluded.denominator, percent = excluded.percent, achieved = excluded.achieved,"
        " due = excluded.due, not_reported = excluded.not_reported, not_approved = excluded.not_approved,"
        " computed_at = excluded.computed_at"
    )
    params = counts_params + [target.pk, year, *achieved_params, target.is_due(year), now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    stale = TargetResult.objects.filter(target=target, year=year, computed_at__lt=now)
    if scope is not None:
        stale = stale.filter(_affected_units_q(scope))
    stale.delete()
    return written


# --------------------------------------------------------------------------- aggregates


def _period_map(year: int) -> list[tuple[str, str, int, int]]:
    """(source period, standard period containing it, source's last month, source's length) for the year."""
    standard = [Period.month(year, m) for m in range(1, 13)]
    standard += [Period(year, 3 * q - 2, 3 * q) for q in range(1, 5)]
    standard += [Period(year, 1, 6), Period(year, 7, 12), Period(year, 1, 9), Period.year_of(year)]
    pairs = []
    for source in standard:
        for target in standard:
            if target.first_month <= source.first_month and source.last_month <= target.last_month:
                pairs.append((str(source), str(target), source.last_month, source.last_month - source.first_month))
    return pairs


AGGREGATE_COLUMNS = "indicator_id, unit_id, period, year, value, reporting_units, computed_at"


def indicator_aggregates_sql(
    year: int, now, scope: Unit | None = None, indicator_ids=None, *, upsert: bool = True, insert: bool = True,
) -> tuple[str, list]:
    """INSERT … SELECT [… ON CONFLICT] that writes every roll-up of ``year`` (optionally one scope's).

    With ``insert=False``, only the SELECT (its columns are ``AGGREGATE_COLUMNS``).
    """
    pairs = _period_map(year)
    # A VALUES list (not a UNION of SELECTs) so PostgreSQL estimates it and hash-joins on the period.
    map_sql = (
        "SELECT column1 AS src, column2 AS dst, column3 AS src_end, column4 AS src_span FROM (VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s)"] * len(pairs)) + ") AS period_map"
    )
    map_params = [x for pair in pairs for x in pair]
    top_sql, top_params = _top_filter(scope, "u.")
    indicator_sql, indicator_params = "", []
    if indicator_ids is not None:
        indicator_sql = f" AND dv.indicator_id IN ({', '.join(['%s'] * len(indicator_ids)) or 'NULL'})"
        indicator_params = list(indicator_ids)
    type_marks = ", ".join(["%s"] * len(AGGREGATED_TYPES))

    def source(aggregation: str, extra_columns: str) -> tuple[str, list]:
        sql = (
            "SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, m.dst,"  # noqa: S608
            f" COALESCE(dv.value_number, CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END) AS v,"
            f" CASE WHEN dv.period = m.dst THEN 1 ELSE 0 END AS exact{extra_columns}"
            f" FROM {_table(DataValue)} dv"
            f" JOIN {_table(Submission)} s ON s.id = dv.submission_id"
            f" JOIN {_table(Indicator)} i ON i.id = dv.indicator_id"
            f" JOIN {_table(Unit)} u ON u.id = dv.unit_id"
            f" JOIN ({map_sql}) m ON m.src = dv.period"
            f" WHERE dv.year = %s AND s.status IN (%s, %s) AND i.value_type IN ({type_marks}) AND i.aggregation = %s"
            " AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)"
            f"{indicator_sql}{top_sql}"
        )
        params = [True, *map_params, year, *COUNTED_STATUSES, *AGGREGATED_TYPES, aggregation, *indicator_params, *top_params]
        return sql, params

    # Each unit's value for each standard period: the sum of what it reported inside the period
    # (SUM), or its latest value inside the period (LAST: stocks, yes/no). Only LAST needs a window.
    columns = "indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst"
    sum_sql, sum_params = source(Aggregation.SUM, "")
    last_sql, last_params = source(
        Aggregation.LAST,
        ", ROW_NUMBER() OVER (PARTITION BY dv.indicator_id, dv.unit_id, m.dst ORDER BY m.src_end DESC, m.src_span) AS rn",
    )
    # ``exact``: the unit's value for the period is the one value it reported for exactly that period.
    per_unit = (
        f"SELECT {columns}, SUM(v) AS v, CASE WHEN COUNT(*) = 1 THEN MAX(exact) ELSE 0 END AS exact"  # noqa: S608
        f" FROM ({sum_sql}) summed GROUP BY {columns}"
        f" UNION ALL SELECT {columns}, v, exact FROM ({last_sql}) ranked WHERE rn = 1"
    )
    per_unit_params = sum_params + last_params
    parts, part_params = [], []
    for kind, level_filter in _level_filters(scope, AGGREGATE_LEVELS).items():
        if level_filter is None:
            continue
        column = f"{ANCESTOR_FIELD[kind]}_id"
        parts.append(
            f"SELECT indicator_id, {column} AS unit_id, dst AS period, SUM(v) AS value, COUNT(*) AS reporting"  # noqa: S608
            f" FROM per_unit WHERE {column} IS NOT NULL{level_filter[0]} GROUP BY indicator_id, {column}, dst"
            # Not stored: a unit's own value for exactly the period it reported, with nothing below it
            # (the reported value itself; ``aggregate_values`` reads it from DataValue).
            f" HAVING NOT (COUNT(*) = 1 AND MAX(CASE WHEN per_unit.unit_id = {column} THEN exact ELSE 0 END) = 1)"
        )
        part_params += level_filter[1]
    select = (
        f"WITH per_unit AS ({per_unit}) SELECT indicator_id, unit_id, period, %s AS year, value,"  # noqa: S608
        f" reporting AS reporting_units, %s AS computed_at FROM ({' UNION ALL '.join(parts)}) rolled"
        " WHERE 1 = 1"  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    )
    select_params = per_unit_params + [year, now] + part_params
    if not insert:
        return select, select_params
    sql = f"INSERT INTO {_table(IndicatorAggregate)} ({AGGREGATE_COLUMNS}) {select}"
    if upsert:
        sql += (
            " ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET"
            " value = excluded.value, reporting_units = excluded.reporting_units,"
            " year = excluded.year, computed_at = excluded.computed_at"
        )
    return sql, select_params


def indicator_aggregates_compute(*, year: int, scope: Unit | None = None, indicator_ids=None) -> int:
    """Roll every numeric and yes/no indicator of ``year`` up; delete roll-ups no value supports any more.

    A whole year is replaced in one transaction (DELETE, then a plain INSERT: no conflict check per
    row; readers see the old rows until commit). A scoped run upserts and deletes its stale rows.
    Rows of indicators that are never reported (the registers' yearly counts) are left alone.
    """
    now = timezone.now()
    if scope is None and indicator_ids is None:
        table = _table(IndicatorAggregate)
        # Only the indicators that are reported (on a form, or with values): the registers keep
        # their own yearly counts in this table too.
        delete = (
            f"DELETE FROM {table} WHERE year = %s AND (indicator_id IN (SELECT indicator_id FROM {_table(FormIndicator)})"  # noqa: S608
            f" OR EXISTS (SELECT 1 FROM {_table(DataValue)} dv WHERE dv.indicator_id = {table}.indicator_id))"
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
            cursor.execute("DROP TABLE IF EXISTS rollup_new")
            cursor.execute(f"CREATE TEMPORARY TABLE rollup_new ON COMMIT DROP AS {select}", params)
            cursor.execute(delete, [year])
            cursor.execute(
                f"INSERT INTO {table} ({AGGREGATE_COLUMNS}) SELECT {AGGREGATE_COLUMNS} FROM rollup_new"  # noqa: S608
                " ORDER BY indicator_id, unit_id, period"
            )
            written = cursor.rowcount
            cursor.execute("DROP TABLE rollup_new")
            return written
    sql, params = indicator_aggregates_sql(year, now, scope, indicator_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    stale = IndicatorAggregate.objects.filter(year=year, computed_at__lt=now)
    if indicator_ids is not None:
        stale = stale.filter(indicator_id__in=indicator_ids)
    if scope is not None:
        stale = stale.filter(_affected_units_q(scope))
    stale.delete()
    return written


def aggregate_values(indicator_ids, unit_ids, periods) -> dict[tuple[int, int, str], Decimal]:
    """``{(indicator_id, unit_id, period): value}``: the roll-up of each unit and period, in one query.

    A stored ``IndicatorAggregate`` row where there is one; otherwise the unit's own counted value
    for exactly that period, which the roll-up does not copy (see ``indicator_aggregates_sql``).
    Yes/no values count as 1 and 0, as in the roll-up.
    """
    indicator_ids, unit_ids, periods = list(indicator_ids), list(unit_ids), [str(p) for p in periods]
    if not (indicator_ids and unit_ids and periods):
        return {}
    number = models.DecimalField(max_digits=20, decimal_places=2)
    stored = IndicatorAggregate.objects.filter(
        indicator_id__in=indicator_ids, unit_id__in=unit_ids, period__in=periods,
    ).annotate(own=models.Value(0)).values_list("indicator_id", "unit_id", "period", "value", "own")
    reported = DataValue.objects.filter(
        Q(value_number__isnull=False) | Q(value_bool__isnull=False),
        indicator_id__in=indicator_ids, unit_id__in=unit_ids, period__in=periods,
        submission__status__in=COUNTED_STATUSES, indicator__value_type__in=AGGREGATED_TYPES,
    ).annotate(
        number=Coalesce(
            "value_number",
            models.Case(models.When(value_bool=True, then=models.Value(1)), default=models.Value(0)),
            output_field=number,
        ),
        own=models.Value(1),
    ).values_list("indicator_id", "unit_id", "period", "number", "own")
    values: dict = {}
    for indicator_id, unit_id, period, value, own in stored.union(reported, all=True):
        key = (indicator_id, unit_id, period)
        if not own or key not in values:  # a stored roll-up wins over the unit's own value
            values[key] = value
    return values


# --------------------------------------------------------------------------- whole years and run records


@contextlib.contextmanager
def _year_run_lock(year: int):
    """One full run per year at a time: a PostgreSQL advisory lock, freed if the worker dies.

    SQLite serialises writers by itself, so there is nothing to take there.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [4242, year])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [4242, year])


def _run_row(year: int) -> ComputationRun:
    run, _ = ComputationRun.objects.get_or_create(kind=RUN_KIND, year=year)
    return run


def _locked_run(year: int) -> ComputationRun:
    """The (kind, year) run record, row-locked until the surrounding transaction ends."""
    _run_row(year)
    return ComputationRun.objects.select_for_update().get(kind=RUN_KIND, year=year)


def year_recompute(*, year: int, task_id: str = "") -> ComputationRun:
    """Recompute every target and aggregate of ``year`` with a STARTED/DONE run record.

    A record left STARTED by a crashed run is detected (under the year lock nobody else is
    running) and the whole year is redone; after ``MAX_ATTEMPTS`` crashed attempts the run is
    marked FAILED instead of crashing the worker forever.
    """
    delay = float(getattr(settings, "TARGETS_TEST_DELAY_SECONDS", 0) or 0)
    with _year_run_lock(year):
        run = _run_row(year)
        attempts = run.attempts + 1 if run.status == RunStatus.STARTED else 1
        if run.status == RunStatus.STARTED:
            logger.warning("targets %s: previous run %s did not finish; redoing the year", year, run.task_id)
        targets = list(targets_of_year(year))
        started_at = timezone.now()
        if attempts > MAX_ATTEMPTS:
            ComputationRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, finished_at=started_at, error=f"gave up after {MAX_ATTEMPTS} crashed attempts",
            )
            run.refresh_from_db()
            return run
        ComputationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.STARTED, started_at=started_at, finished_at=None, progress=0,
            total=len(targets) + 1, task_id=task_id or "", attempts=attempts, error="",
        )
        for done, target in enumerate(targets, start=1):
            with transaction.atomic():
                _locked_run(year)
                target_results_compute(target=target, year=year)
                ComputationRun.objects.filter(pk=run.pk).update(progress=done)
            if delay:
                time.sleep(delay)
        with transaction.atomic():
            _locked_run(year)
            TargetResult.objects.filter(year=year).exclude(target__in=targets).delete()
            indicator_aggregates_compute(year=year)
        finished_at = timezone.now()
        ComputationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, finished_at=finished_at, progress=len(targets) + 1, attempts=0,
        )
        # A change made while this run was going keeps the year dirty for the next beat.
        ComputationRun.objects.filter(pk=run.pk, dirty=True, dirty_since__lte=started_at).update(
            dirty=False, dirty_since=None,
        )
    run.refresh_from_db()
    return run


def years_recompute(years) -> None:
    """Synchronously recompute every target and aggregate of each of ``years`` (seed_demo calls this)."""
    for year in sorted(set(int(y) for y in years)):
        year_recompute(year=year)


def dirty_years() -> list[int]:
    return list(
        ComputationRun.objects.filter(kind=RUN_KIND, dirty=True).order_by("year").values_list("year", flat=True)
    )


def submission_changed(submission) -> None:
    """Called inside the transaction that submits, approves, reopens or returns ``submission``.

    Recomputes at once, set-based, only what the submission touched (its year; the submitting
    unit's ancestors and subtree; the targets and indicators of its form), marks the year dirty
    and, at most once per year per minute, queues a full recompute after commit. If the broker
    is down the change still saves: the error is logged and the year stays dirty.
    """
    year = submission.year
    scope = submission.unit
    indicator_ids = list(submission.form.form_indicators.values_list("indicator_id", flat=True))
    run = _locked_run(year)
    for target in targets_of_year(year).filter(indicator_id__in=indicator_ids):
        target_results_compute(target=target, year=year, scope=scope)
    if indicator_ids:
        indicator_aggregates_compute(year=year, scope=scope, indicator_ids=indicator_ids)
    now = timezone.now()
    changes = {"dirty": True, "dirty_since": now}
    enqueue = run.last_enqueued_at is None or now - run.last_enqueued_at >= ENQUEUE_INTERVAL
    if enqueue:
        changes["last_enqueued_at"] = now
    ComputationRun.objects.filter(pk=run.pk).update(**changes)
    if enqueue:
        transaction.on_commit(lambda: enqueue_year_recompute(year))


def enqueue_year_recompute(year: int) -> bool:
    """Queue the full recompute of ``year``; on a broker failure log it, leave the year dirty, return False."""
    from .tasks import compute_targets

    try:
        compute_targets.delay(year)
    except Exception:  # kombu raises many kinds; none of them may undo a saved approval
        logger.exception("targets %s: could not queue the recompute; the year stays dirty", year)
        ComputationRun.objects.filter(kind=RUN_KIND, year=year).update(last_enqueued_at=None)
        return False
    return True


def recompute_requested(*, year: int) -> bool:
    """Provincial staff asked for a recompute: mark the year dirty and queue it now."""
    run = _run_row(year)
    ComputationRun.objects.filter(pk=run.pk).update(dirty=True, dirty_since=timezone.now(), last_enqueued_at=timezone.now())
    return enqueue_year_recompute(year)
