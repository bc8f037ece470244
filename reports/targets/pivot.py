"""The roll-up's SQL: each indicator × unit pivoted into its period slots, each standard period
read from its slots, and narrow rows made from wide ones (``reports.targets.rollups`` writes them).

A unit's values for one year become one wide row per indicator × unit × placement: the slots
are the periods values were reported for, placed on the tree as at each period's end; a
standard period is then the sum of its slots (SUM) or its latest slot (LAST). Summing the wide
rows up the tree before unpivoting them is what keeps the national roll-up near a hand-written
statement (benchmarks/RESULTS.md).
"""
from __future__ import annotations

from functools import lru_cache

from django.db import connection

from mattran.models import UnitPlacement
from programs.models import Aggregation, Indicator
from reports.constants import AGGREGATED_TYPES, COUNTED_STATUSES
from reports.models import DataValue, Submission
from reports.periods import Period
from reports.targets.scope import in_list, placement_on_sql, table_name

UNIT_COLUMNS = "indicator_id, unit_id, province_id, district_id, commune_id, area_id"


@lru_cache(maxsize=64)
def standard_periods(year: int) -> tuple[Period, ...]:
    """The 20 standard periods of a year: months, quarters, halves, 9 months, the year."""
    standard = [Period.month(year, m) for m in range(1, 13)]
    standard += [Period(year, 3 * q - 2, 3 * q) for q in range(1, 5)]
    standard += [Period(year, 1, 6), Period(year, 7, 12), Period(year, 1, 9), Period.year_of(year)]
    return tuple(standard)


def _contains(outer: Period, inner: Period) -> bool:
    return outer.first_month <= inner.first_month and inner.last_month <= outer.last_month


@lru_cache(maxsize=256)
def layout(year: int, within: Period | None = None):
    """What the statements of one roll-up are built from: ``(slots, targets)``.

    ``targets``: the standard periods written (all of them, or those containing ``within``, the
    period of a changed submission), each with the indexes of the slots it contains, latest first
    (latest last month, then shortest span: the order LAST reads them in). ``slots``: the
    periods a value can be reported for that some target contains, each with its last day (the
    day whose tree places its values).
    """
    standard = standard_periods(year)
    targets = [p for p in standard if within is None or _contains(p, within)]
    slots = [p for p in standard if any(_contains(t, p) for t in targets)]
    ordered = sorted(range(len(slots)), key=lambda i: (-slots[i].last_month, slots[i].last_month - slots[i].first_month))
    return (
        tuple((str(p), p.end) for p in slots),
        tuple((str(t), tuple(i for i in ordered if _contains(t, slots[i]))) for t in targets),
    )


def rolled_periods(year: int, within: Period | None = None) -> list[str]:
    """The standard periods of the year (containing ``within``)."""
    return sorted(name for name, _slots in layout(year, within)[1])


def period_literal(name: str) -> str:
    Period.parse(name)  # a standard period's notation: digits, "-", Q, H, M; safe to quote in SQL
    return f"'{name}'"


def pivot_sql(
    year: int, where: tuple[str, list], indicators=None, within: Period | None = None, *, moves: bool = True,
) -> tuple[str, list]:
    """One wide row per indicator × unit × placement: the unit's value for each standard period of
    ``year`` side by side (``v0``, ``v1``…, in the order of ``layout``'s targets), with ``e0``,
    ``e1``… set to 1 where that value is the one value the unit reported for exactly that period.

    Values are placed on the tree as at the end of the period they were reported for and pivoted
    into their period's slot in one pass (no join of a value to every period containing it; a
    unit has at most one value of an indicator per period, so a slot is its value or NULL); each
    target period is then read from the slots it contains: the sum (SUM), or the latest slot
    (LAST: stocks, yes/no; across placements too, for a unit moved during the year). Columns
    ``indicator_id, unit_id, province_id, district_id, commune_id, area_id, v…, e…``. Units of
    ``where`` (a condition on ``u`` or ``dv``); all rolled-up indicators, or only ``indicators``
    (``{aggregation: (id, …)}``, see ``rollups.rolled_indicators``). ``moves=False``: the caller knows no
    unit changed placement during the year, so LAST needs no comparison across placements (a
    window over every stock value of the country).
    """
    slots, targets = layout(year, within)
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
            empty = ", ".join([f"0 AS {column}" for column in UNIT_COLUMNS.split(", ")] + [f"0 AS v{t}, 0 AS e{t}" for t in range(len(targets))])
            return f"SELECT {empty} WHERE 1 = 0", []  # noqa: S608
        join, (condition, condition_params) = "", in_list("dv.indicator_id", ids)
        sums, _ = in_list("dv.indicator_id", indicators.get(Aggregation.SUM, []))
        aggregation = f"CASE WHEN 1 = 1{sums} THEN %s ELSE %s END"
        aggregation_params = [*indicators.get(Aggregation.SUM, []), Aggregation.SUM, Aggregation.LAST]
    pivoted = ", ".join(f"MAX(CASE WHEN period = {period_literal(name)} THEN v END) AS s{k}" for k, (name, _day) in enumerate(slots))
    source = (
        f"SELECT {UNIT_COLUMNS}, aggregation, {pivoted} FROM ("  # noqa: S608
        f" SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, dv.period,"
        f"  {aggregation} AS aggregation, COALESCE(dv.value_number, CASE WHEN dv.value_bool THEN 1 ELSE 0 END) AS v"
        f" FROM {table_name(DataValue)} dv"
        f" JOIN {table_name(Submission)} s ON s.id = dv.submission_id{join}"
        f" JOIN ({slot_map}) m ON m.src = dv.period"
        f" JOIN {table_name(UnitPlacement)} u ON u.unit_id = dv.unit_id{placement_on_sql('u.', 'm.src_day')}"
        f" WHERE dv.year = %s AND s.status IN (%s, %s){condition}"
        " AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)"
        f"{where[0]}"
        f") valued GROUP BY {UNIT_COLUMNS}, aggregation"
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
        f"SELECT {UNIT_COLUMNS}, {', '.join(columns)} FROM ("  # noqa: S608
        f"SELECT {UNIT_COLUMNS}, aggregation, {', '.join(ranked)} FROM ({source}) pivoted) ranked"
    )
    return sql, [Aggregation.SUM, Aggregation.SUM] * len(targets) + params


def unpivot_sql(year: int, within: Period | None, rows: str, columns: str) -> tuple[str, list]:
    """``FROM`` clause that turns the wide rows ``rows`` (with ``v…``, ``c…`` and ``keep…`` per
    period) into one narrow row per period, with ``period``, ``value``, ``reporting`` and ``keep``."""
    _slots, targets = layout(year, within)
    if connection.vendor == "postgresql":
        values = ", ".join(f"({period_literal(name)}, v{t}, c{t}, keep{t})" for t, (name, _s) in enumerate(targets))
        return (
            f"SELECT {columns}, p.period, p.value, p.reporting, p.keep FROM ({rows}) wide"  # noqa: S608
            f" CROSS JOIN LATERAL (VALUES {values}) AS p (period, value, reporting, keep)"
        ), []
    picks = {
        column: "CASE p.k " + " ".join(f"WHEN {t} THEN {column}{t}" for t in range(len(targets))) + " END"
        for column in ("v", "c", "keep")
    }
    periods = " UNION ALL ".join(f"SELECT {t} AS k, {period_literal(name)} AS period" for t, (name, _s) in enumerate(targets))
    return (
        f"SELECT {columns}, p.period, {picks['v']} AS value, {picks['c']} AS reporting, {picks['keep']} AS keep"  # noqa: S608
        f" FROM ({rows}) wide CROSS JOIN ({periods}) p"
    ), []


def per_unit_sql(year: int, where: tuple[str, list], indicators=None, within: Period | None = None) -> tuple[str, list]:
    """Each unit's value for each standard period of ``year`` (``pivot_sql``), one row per period:
    columns ``indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst, v, exact``."""
    pivot, params = pivot_sql(year, where, indicators, within)
    targets = layout(year, within)[1]
    wide = ", ".join(f"v{t}, 1 AS c{t}, e{t} AS keep{t}" for t in range(len(targets)))
    units = "indicator_id, unit_id, province_id, district_id, commune_id, area_id"
    narrow, _ = unpivot_sql(year, within, f"SELECT {units}, {wide} FROM ({pivot}) pivot", units)  # noqa: S608
    return (
        f"SELECT {units}, period AS dst, value AS v, keep AS exact FROM ({narrow}) narrow WHERE value IS NOT NULL",  # noqa: S608
        params,
    )
