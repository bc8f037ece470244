"""The roll-up's earlier formulation (every value joined to every standard period containing it,
then one GROUP BY per level), kept as the reference the rewritten roll-up must match row for row
(``test_rollup_parity``). Not used by the application.
"""
from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

from mattran.models import ANCESTOR_FIELD, UnitPlacement
from programs.models import Aggregation, Indicator
from reports.constants import AGGREGATED_TYPES, COUNTED_STATUSES
from reports.models import DataValue, IndicatorAggregate, Submission
from reports.periods import Period
from reports.targets.rollups import AGGREGATE_COLUMNS, AGGREGATE_UPSERT
from reports.targets.scope import (
    AGGREGATE_LEVELS,
    Scope,
    in_list,
    levels_from,
    placement_on_sql,
    subtree_filter,
    table_name,
)


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
    see ``rollups.rolled_indicators``); all standard periods, or those containing ``within``."""
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
