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

A submission that changes status is recomputed at once, incrementally (``submission_changed``):
the submitting unit's subtree by a scan of it, then each of its ancestors, nearest first, from
its children's rows (a unit's subtree is itself plus its children's subtrees), so a district's
approval reads and writes a few hundred rows, not its province's. Summing rows needs the rows
below to be whole, which a finished full run makes them; until the first one, the top unit's
subtree is scanned instead. The roll-ups are limited to the periods containing the
submission's, and an approval (submitted values already count) leaves them alone.
"""
from __future__ import annotations

import contextlib
import logging
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mattran import queue
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
from .signals import target_results_changed

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


def _levels_from(scope: Scope | None, levels) -> list[str]:
    """The levels whose groups a run over ``scope`` writes from the scanned units: all of them for a
    whole year, else the scope's own level and those below it (its ancestors are done from rows)."""
    if scope is None:
        return list(levels)
    return [kind for kind in levels if LEVEL_ORDER[kind] >= LEVEL_ORDER[scope.kind]]


def _subtree_filter(scope: Scope | None, alias: str) -> tuple[str, list]:
    """Restrict the scanned units to the scope's subtree (one indexed equality on its ancestor column)."""
    if scope is None:
        return "", []
    return f" AND {alias}{ANCESTOR_FIELD[scope.kind]}_id = %s", [scope.pk]


def _in_list(column: str, ids) -> tuple[str, list]:
    ids = list(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", ids


# A subtree up to this many units is listed by id for the stale-row deletes (a district: a few
# hundred); a larger one, or a province's, is a subquery.
LISTED_SUBTREE = 2000


class Scope:
    """The unit an incremental run recomputes under, with the unit lists its statements need, each
    fetched once: the ids in its subtree and, for each of its ancestors, the ancestor's children."""

    def __init__(self, unit: Unit):
        self.unit, self.kind, self.pk = unit, unit.kind, unit.pk

    def _ancestor_ids(self, levels) -> list[int]:
        """Its ancestors at ``levels``, nearest first."""
        found = []
        for kind in reversed(AGGREGATE_LEVELS):
            unit_id = getattr(self.unit, f"{ANCESTOR_FIELD[kind]}_id")
            if kind in levels and LEVEL_ORDER[kind] < LEVEL_ORDER[self.kind] and unit_id:
                found.append(unit_id)
        return found

    @cached_property
    def _children(self) -> dict[int, list[tuple[int, str]]]:
        ancestors = self._ancestor_ids(AGGREGATE_LEVELS)
        children: dict[int, list] = {unit_id: [] for unit_id in ancestors}
        rows = Unit.objects.filter(parent_id__in=ancestors).order_by().values_list("id", "parent_id", "kind")
        for child_id, parent_id, kind in rows:
            children[parent_id].append((child_id, kind))
        return children

    def ancestors(self, levels) -> list[tuple[int, list[tuple[int, str]]]]:
        """``(id, [(child id, child kind)])`` of each ancestor at ``levels``, nearest first.

        An ancestor's subtree is itself plus its children's subtrees (a unit's parent is always of
        a higher kind, see ``Unit.clean``), so its row is the sum of its children's rows (and of
        the children that have none, the residential areas) plus its own value.
        """
        return [(unit_id, self._children[unit_id]) for unit_id in self._ancestor_ids(levels)]

    def top(self) -> Scope:
        """The scope of its topmost ancestor (itself if it has none)."""
        ancestors = self._ancestor_ids(AGGREGATE_LEVELS)
        return Scope(Unit.objects.get(pk=ancestors[-1])) if ancestors else self

    @cached_property
    def _subtree(self) -> list[tuple[int, str]] | None:
        if self.kind == UnitKind.PROVINCE:
            return None
        units = Unit.objects.filter(**{ANCESTOR_FIELD[self.kind]: self.pk}).order_by().values_list("id", "kind")
        listed = list(units[: LISTED_SUBTREE + 1])
        return None if len(listed) > LISTED_SUBTREE else listed

    def units_sql(self, levels) -> tuple[str, list]:
        """`` AND unit_id IN …``: the units of ``levels`` in its subtree, by id (the planner then
        probes the unique index whatever its statistics say), or by a subquery for a large subtree."""
        if self._subtree is not None:
            return _in_list("unit_id", [unit_id for unit_id, kind in self._subtree if kind in levels])
        kinds = ", ".join(["%s"] * len(levels))
        return (
            f" AND unit_id IN (SELECT id FROM {_table(Unit)} WHERE kind IN ({kinds}) AND {ANCESTOR_FIELD[self.kind]}_id = %s)",  # noqa: S608
            [*levels, self.pk],
        )


def _delete_stale(model, now, units: tuple[str, list], conditions: str, params: list) -> None:
    """Delete the rows of ``units`` (and ``conditions``) computed before ``now``: the rows a run did not rewrite."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(model)} WHERE computed_at < %s{conditions}{units[0]}",  # noqa: S608
            [now, *params, *units[1]],
        )


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


def _counted_sql(target: Target, year: int, where: tuple[str, list]) -> tuple[str, list]:
    """The counted units (of ``where``, an extra condition on ``u``) with their value: one row each
    with its ancestor columns and ``reported``, ``met`` and ``pending`` (0 or 1)."""
    join, has_value, _, met_expr = _target_condition_sql(target)
    end = year_end(year)
    kinds = [k for k in target.counted_kinds if k in ANCESTOR_FIELD]
    kind_marks = ", ".join(["%s"] * len(kinds)) or "NULL"
    sql = (
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
        f"{where[0]}"
    )
    params = [
        SubmissionStatus.SUBMITTED, _target_condition_param(target),
        target.indicator_id, str(year), *COUNTED_STATUSES, *kinds, end, end, *where[1],
    ]
    return sql, params


COUNT_SUMS = "COUNT(*) AS denominator, SUM(reported) AS reported, SUM(met) AS met, SUM(pending) AS not_approved"


def target_counts_parts(target: Target, year: int, scope: Scope | None = None) -> tuple[str, str, list]:
    """The one aggregate of a target, in two parts: the counted units with their value (a CTE named
    ``counted``) and the UNION ALL of one GROUP BY per level giving (unit_id, denominator, reported,
    met, not_approved); params in text order. With ``scope``, only the scope's subtree is scanned
    and grouped (its ancestors are ``_target_ancestor_parts``'s)."""
    counted_sql, params = _counted_sql(target, year, _subtree_filter(scope, "u."))
    if scope is None and connection.vendor == "postgresql":
        # One pass over the counted units for all three levels (a group key of NULL is no unit).
        columns = [f"{ANCESTOR_FIELD[kind]}_id" for kind in reversed(RESULT_LEVELS)]
        key = f"COALESCE({', '.join(columns)})"
        sets = ", ".join(f"({column})" for column in columns)
        grouped = f"SELECT {key} AS unit_id, {COUNT_SUMS} FROM counted GROUP BY GROUPING SETS ({sets}) HAVING {key} IS NOT NULL"  # noqa: S608
        return counted_sql, grouped, params
    parts = []
    for kind in _levels_from(scope, RESULT_LEVELS):
        column = f"{ANCESTOR_FIELD[kind]}_id"
        parts.append(f"SELECT {column} AS unit_id, {COUNT_SUMS} FROM counted WHERE {column} IS NOT NULL GROUP BY {column}")  # noqa: S608
    return counted_sql, " UNION ALL ".join(parts) or "SELECT NULL AS unit_id, 0 AS denominator, 0 AS reported, 0 AS met, 0 AS not_approved WHERE 1 = 0", params


def _target_ancestor_parts(target: Target, year: int, unit_id: int, children) -> tuple[str, str, list]:
    """Like ``target_counts_parts`` for one ancestor of an incremental run, from rows, not its subtree:
    the sum of its children's (already rewritten) rows, plus the counted units among itself and
    its children of a kind with no rows (residential areas)."""
    rows = [child for child, kind in children if kind in RESULT_LEVELS]
    direct = [unit_id] + [child for child, kind in children if kind not in RESULT_LEVELS]
    counted_sql, params = _counted_sql(target, year, _in_list("u.id", direct))
    rows_sql, rows_params = _in_list("unit_id", rows)
    grouped = (
        # Integers again (PostgreSQL sums bigints as numeric), for the integer arithmetic of the percentage.
        f"SELECT %s AS unit_id, CAST(SUM(denominator) AS INTEGER) AS denominator, CAST(SUM(reported) AS INTEGER) AS reported,"  # noqa: S608
        " CAST(SUM(met) AS INTEGER) AS met, CAST(SUM(not_approved) AS INTEGER) AS not_approved FROM ("
        " SELECT denominator, denominator - not_reported AS reported, numerator AS met, not_approved"
        f" FROM {_table(TargetResult)} WHERE target_id = %s AND year = %s{rows_sql}"
        f" UNION ALL SELECT {COUNT_SUMS} FROM counted) parts HAVING SUM(denominator) > 0"
    )
    return counted_sql, grouped, params + [unit_id, target.pk, year, *rows_params]


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


def target_results_compute(*, target: Target, year: int, scope: Scope | None = None, prune: bool = True) -> int:
    """Write the target's results for ``year`` for every unit (or those ``scope`` touches); returns rows written.

    One INSERT … SELECT … ON CONFLICT: the counts, the percentage (ROUND_HALF_UP, integer
    arithmetic) and the exact decision of ``Target.meets`` are all computed in the database, so a
    national run moves no rows through Python. With ``scope`` (an incremental run), one statement
    for the scope's subtree, then one per ancestor, nearest first, summing the rows just below it.
    With ``prune=False`` the rows no longer produced are not looked for (a unit has a row while it
    has counted units below it, whatever their values: a status change never removes one).
    """
    now = timezone.now()
    ancestors = scope.ancestors(RESULT_LEVELS) if scope is not None else []
    if ancestors and not TargetResult.objects.filter(target=target, year=year, unit_id=ancestors[-1][0]).exists():
        # Never computed under this top unit (a new target, say): no rows below to sum.
        scope, ancestors = scope.top(), []
    # (statement parts, the units whose rows it rewrites)
    statements = [(target_counts_parts(target, year, scope), scope.units_sql(RESULT_LEVELS) if scope else ("", []))]
    statements += [
        (_target_ancestor_parts(target, year, unit_id, children), (" AND unit_id = %s", [unit_id]))
        for unit_id, children in ancestors
    ]
    achieved, achieved_params = achieved_sql(target, "met", "denominator")
    written = 0
    # One transaction (the caller's, if any: no savepoint): readers never see new rows beside stale ones.
    with transaction.atomic(savepoint=False):
        for (counted_sql, grouped_sql, counts_params), units in statements:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {_table(TargetResult)} (target_id, unit_id, year, numerator, denominator, percent,"  # noqa: S608
                    " achieved, due, not_reported, not_approved, computed_at)"
                    f" WITH counted AS ({counted_sql}), grouped AS ({grouped_sql})"
                    f" SELECT %s, unit_id, %s, met, denominator, {percent_cents_sql('met', 'denominator')} / 100.0, {achieved},"
                    " %s, denominator - reported, not_approved, %s FROM grouped WHERE 1 = 1"
                    " ON CONFLICT (target_id, unit_id, year) DO UPDATE SET numerator = excluded.numerator,"
                    " denominator = excluded.denominator, percent = excluded.percent, achieved = excluded.achieved,"
                    " due = excluded.due, not_reported = excluded.not_reported, not_approved = excluded.not_approved,"
                    " computed_at = excluded.computed_at",
                    counts_params + [target.pk, year, *achieved_params, target.is_due(year), now],
                )
                written += cursor.rowcount
            # Rows of these units the statement did not write are no longer produced: gone before the
            # next (ancestor) statement sums them.
            if prune or not ancestors:
                _delete_stale(TargetResult, now, units, " AND target_id = %s AND year = %s", [target.pk, year])
    return written


# --------------------------------------------------------------------------- aggregates


@lru_cache(maxsize=256)
def _period_map(year: int, within: Period | None = None) -> tuple[tuple[str, str, int, int], ...]:
    """(source period, standard period containing it, source's last month, source's length) for the year.

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
                pairs.append((str(source), str(target), source.last_month, source.last_month - source.first_month))
    return tuple(pairs)


def _rolled_periods(year: int, within: Period | None = None) -> list[str]:
    """The standard periods of the year (containing ``within``)."""
    return sorted({dst for _src, dst, _end, _span in _period_map(year, within)})


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
        "SELECT column1 AS src, column2 AS dst, column3 AS src_end, column4 AS src_span FROM (VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s)"] * len(pairs)) + ") AS period_map"
    )
    map_params = [x for pair in pairs for x in pair]
    if indicators is None:
        type_marks = ", ".join(["%s"] * len(AGGREGATED_TYPES))
        kinds = {
            aggregation: (
                f" JOIN {_table(Indicator)} i ON i.id = dv.indicator_id",
                f" AND i.value_type IN ({type_marks}) AND i.aggregation = %s", [*AGGREGATED_TYPES, aggregation],
            )
            for aggregation in Aggregation.values
        }
    else:
        # The few given indicators by aggregation: the planner then drives the scan from the units
        # (a join on the indicator table makes it scan every value of the indicator instead).
        kinds = {
            aggregation: ("", *_in_list("dv.indicator_id", ids)) for aggregation, ids in indicators.items() if ids
        }

    def source(aggregation: str, extra_columns: str) -> tuple[str, list]:
        join, condition, condition_params = kinds[aggregation]
        sql = (
            "SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, m.dst,"  # noqa: S608
            f" COALESCE(dv.value_number, CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END) AS v,"
            f" CASE WHEN dv.period = m.dst THEN 1 ELSE 0 END AS exact{extra_columns}"
            f" FROM {_table(DataValue)} dv"
            f" JOIN {_table(Submission)} s ON s.id = dv.submission_id{join}"
            f" JOIN {_table(Unit)} u ON u.id = dv.unit_id"
            f" JOIN ({map_sql}) m ON m.src = dv.period"
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
    return _in_list(f"{alias}indicator_id", [pk for ids in indicators.values() for pk in ids])


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
    per_unit, per_unit_params = _per_unit_sql(year, _subtree_filter(scope, "u."), indicators, within)
    parts = []
    for kind in _levels_from(scope, AGGREGATE_LEVELS):
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
    sql = f"INSERT INTO {_table(IndicatorAggregate)} ({AGGREGATE_COLUMNS}) {select}"
    if upsert:
        sql += AGGREGATE_UPSERT
    return sql, select_params


def _aggregate_ancestor_sql(year: int, now, unit_id: int, children, indicators, within: Period | None) -> tuple[str, list]:
    """INSERT … ON CONFLICT of one ancestor's roll-ups in an incremental run, from rows, not its subtree.

    Its value for an indicator and period is the sum over its children of their roll-up (their
    stored row, or else their own value for exactly that period, which is not stored), plus its
    own value; the count of reporting units likewise. Same rows as a scan of its subtree.
    """
    table = _table(IndicatorAggregate)
    own, own_params = _per_unit_sql(year, (" AND dv.unit_id = %s", [unit_id]), indicators, within)
    child_ids = [child for child, _kind in children]
    ia_children, _ = _in_list("ia.unit_id", child_ids)
    dv_children, _ = _in_list("dv.unit_id", child_ids)
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
        f"   FROM {_table(DataValue)} dv JOIN {_table(Submission)} s ON s.id = dv.submission_id"
        f"   JOIN {_table(Indicator)} i ON i.id = dv.indicator_id"
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
    periods = _in_list("period", _rolled_periods(year, within)) if within is not None else (" AND year = %s", [year])
    rolled = _indicators_filter("", indicators)
    written = 0
    for (sql, params), units in statements:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
        if prune:
            _delete_stale(IndicatorAggregate, now, units, periods[0] + rolled[0], periods[1] + rolled[1])
    return written


def _year_aggregates_replace(year: int, now) -> int:
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
        # Fresh statistics for the incremental runs that follow (autovacuum may take minutes).
        cursor.execute(f"ANALYZE {table}")
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
    locked = ComputationRun.objects.select_for_update().filter(kind=RUN_KIND, year=year)
    run = locked.first()
    if run is None:
        _run_row(year)
        run = locked.get()
    return run


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
        # Dirty until it finishes: a run that dies, or gives up after its retries, leaves the year
        # to the beat job, never half-written results shown as final.
        ComputationRun.objects.filter(pk=run.pk, dirty=False).update(dirty=True, dirty_since=started_at)
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {_table(TargetResult)}")
        # Not under the run record's lock: replacing a national year's roll-up takes a minute, and
        # a submission's incremental run gives up on these rows rather than wait (see
        # ``_incremental``); the year then stays dirty for the next run.
        indicator_aggregates_compute(year=year)
        finished_at = timezone.now()
        ComputationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, finished_at=finished_at, progress=len(targets) + 1, attempts=0,
        )
        # A change made while this run was going keeps the year dirty for the next beat.
        ComputationRun.objects.filter(pk=run.pk, dirty=True, dirty_since__lte=started_at).update(
            dirty=False, dirty_since=None,
        )
    target_results_changed.send(sender=ComputationRun, year=year)
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


def years_mark_dirty(years=None) -> int:
    """Mark every computed year (or those of ``years``) dirty: the beat job recomputes each within
    minutes (returns how many).

    For changes that no incremental run follows: the unit tree, targets, indicators, forms, and
    submissions or values edited in the admin.
    """
    runs = ComputationRun.objects.filter(kind=RUN_KIND)
    if years is not None:
        runs = runs.filter(year__in=list(years))
    return runs.update(dirty=True, dirty_since=timezone.now())


# Unit fields a target or a roll-up depends on; a change to its name, say, recomputes nothing.
UNIT_STRUCTURE_FIELDS = ("kind", "parent_id", "valid_from", "valid_to")


def _unit_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = Unit.objects.filter(pk=instance.pk).values_list(*UNIT_STRUCTURE_FIELDS).first() if instance.pk else None
    instance._structure_changed = before != tuple(getattr(instance, field) for field in UNIT_STRUCTURE_FIELDS)


def _unit_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_structure_changed", True):
        years_mark_dirty()


def _configuration_changed(sender, raw=False, **kwargs):
    if not raw:
        years_mark_dirty()


def connect_signals() -> None:
    """Edits of the tree (admin saves, bulk imports) or of what is computed make the computed years dirty."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from mattran.signals import units_changed

    pre_save.connect(_unit_before_save, sender=Unit, dispatch_uid="reports.computation.unit.pre")
    post_save.connect(_unit_saved, sender=Unit, dispatch_uid="reports.computation.unit.save")
    post_delete.connect(_configuration_changed, sender=Unit, dispatch_uid="reports.computation.unit.delete")
    units_changed.connect(_configuration_changed, sender=Unit, dispatch_uid="reports.computation.units.imported")
    for model in (Target, Indicator, FormIndicator):
        post_save.connect(_configuration_changed, sender=model, dispatch_uid=f"reports.computation.{model.__name__}.save")
        post_delete.connect(_configuration_changed, sender=model, dispatch_uid=f"reports.computation.{model.__name__}.delete")


# How long a submission's incremental run may wait for a row lock before it leaves the work to
# the full recompute (a running full recompute holds the year's roll-up rows for about a minute).
INCREMENTAL_LOCK_TIMEOUT = "1s"


def submission_changed(submission, previous_status: str | None = None) -> None:
    """Called inside the transaction that submits, approves, reopens or returns ``submission``.

    Recomputes at once, set-based, only what the submission touched (its year; the submitting
    unit's subtree and ancestors; the targets and indicators of its form; the periods containing
    its own), marks the year dirty and, at most once per year per minute (at once when tasks run
    in-process), queues a full recompute after commit. If the broker is down the change still
    saves and the work is recorded (``mattran.queue``); the year stays dirty.

    With ``previous_status``: when the values counted before and after are the same (an approval:
    submitted and approved values both count, and only open forms can be edited), the roll-ups
    cannot change and only the targets are recomputed (their count of values not yet approved).
    """
    year = submission.year
    run = _locked_run(year)
    done = _without_waiting(lambda: _incremental(submission, previous_status, run))
    now = timezone.now()
    changes = {"dirty": True, "dirty_since": now}
    eager = _tasks_run_in_process()
    enqueue = not done or eager or run.last_enqueued_at is None or now - run.last_enqueued_at >= ENQUEUE_INTERVAL
    if enqueue:
        changes["last_enqueued_at"] = now
    ComputationRun.objects.filter(pk=run.pk).update(**changes)
    if enqueue:
        transaction.on_commit(lambda: enqueue_year_recompute(year))
    if done:
        target_results_changed.send(sender=Submission, year=year)


def _incremental(submission, previous_status, run) -> None:
    year = submission.year
    counted = submission.status in COUNTED_STATUSES
    was_counted = previous_status in COUNTED_STATUSES
    if not (counted or was_counted or previous_status is None):
        return
    indicator_ids = list(submission.form.form_indicators.values_list("indicator_id", flat=True))
    scope = Scope(submission.unit)
    whole = run.status == RunStatus.DONE and run.finished_at is not None
    if not whole:
        # Ancestors are summed from the rows below them, which only a finished full run makes
        # whole: until then, scan the top unit's whole subtree instead.
        scope = scope.top()
    # Rows disappear only when values stop counting (targets: never, by a status change).
    known = previous_status is not None and whole
    for target in targets_of_year(year).filter(indicator_id__in=indicator_ids):
        target_results_compute(target=target, year=year, scope=scope, prune=not known)
    if indicator_ids and (previous_status is None or counted != was_counted):
        within = Period.parse(submission.period)
        indicator_aggregates_compute(
            year=year, scope=scope, indicator_ids=indicator_ids, within=within, prune=not (known and counted),
        )


def _without_waiting(work) -> bool:
    """Run ``work`` in a savepoint that gives up (and undoes it) rather than wait long for a row
    lock held by background work; False when it gave up. SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        work()
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{INCREMENTAL_LOCK_TIMEOUT}'")
            work()
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) != "55P03":  # lock_not_available
            raise
        logger.info("incremental recompute gave way to a running full recompute; the year stays dirty")
        return False
    return True


def _tasks_run_in_process() -> bool:
    from mattran.celery import app

    return bool(app.conf.task_always_eager)


def enqueue_year_recompute(year: int) -> bool:
    """Queue the full recompute of ``year``; when the broker cannot take it the work is recorded
    for the beat job (``mattran.queue``), the year stays dirty and False is returned."""
    from .tasks import compute_targets

    if queue.send(compute_targets, year):
        return True
    ComputationRun.objects.filter(kind=RUN_KIND, year=year).update(last_enqueued_at=None)
    return False


def recompute_requested(*, year: int) -> bool:
    """Provincial staff asked for a recompute: mark the year dirty and queue it now."""
    run = _run_row(year)
    ComputationRun.objects.filter(pk=run.pk).update(dirty=True, dirty_since=timezone.now(), last_enqueued_at=timezone.now())
    return enqueue_year_recompute(year)
