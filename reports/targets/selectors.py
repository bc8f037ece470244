"""Reads of computed targets and roll-ups: results of a unit and its children (the units behind a
percentage are in ``names.py``), and ``aggregate_values`` (the roll-up of any unit and period) for the dashboard and emulation."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from mattran.models import Unit, UnitKind
from programs.models import Target
from reports.constants import AGGREGATED_TYPES, COUNTED_STATUSES, RUN_KIND, trend_years, year_end
from reports.models import ComputationRun, DataValue, IndicatorAggregate, TargetResult
from reports.targets.judgement import judge

CHILD_KIND = {UnitKind.PROVINCE: UnitKind.DISTRICT, UnitKind.DISTRICT: UnitKind.COMMUNE, UnitKind.COMMUNE: None}


def targets_applying(targets, year: int) -> list:
    """Those of ``targets`` computed and shown for ``year`` (a target for 2020 only is absent from 2018)."""
    return [t for t in targets if t.applies_to(year)]


@dataclass
class Projection:
    """Before the deadline: can the target still be met if every unit not yet reported meets it?"""

    reported: int
    needed: int
    can_pass: bool


def projection(target: Target, result: TargetResult) -> Projection:
    reported = result.denominator - result.not_reported
    needed_total = next((n for n in range(result.denominator + 1) if target.meets(n, result.denominator)), None)
    needed = max(0, (needed_total if needed_total is not None else result.denominator + 1) - result.numerator)
    return Projection(
        reported=reported, needed=needed,
        can_pass=target.meets(result.numerator + result.not_reported, result.denominator),
    )


def children_of(unit: Unit, year: int):
    """The unit's children at the next result level on the tree of ``year`` (after the 2025 reform
    a province's communes hang directly below it; its districts ended on 30/06/2025)."""
    end = year_end(year)
    return Unit.objects.children_on(unit, end).filter(kind__in=[UnitKind.DISTRICT, UnitKind.COMMUNE]).order_by("code")


def target_board(unit: Unit, year: int) -> dict:
    """Everything the targets dashboard shows for ``unit`` and ``year``, in a constant number of queries."""
    all_targets = list(Target.objects.select_related("rating_level").order_by("code"))
    targets = targets_applying(all_targets, year)
    due_years = {t.due_year for t in targets if t.due_year and t.due_year < year}
    children = list(children_of(unit, year))
    # This year's and the passed due years' results of the unit and its children, in one query.
    by_key: dict[tuple[int, int, int], TargetResult] = {
        (r.target_id, r.unit_id, r.year): r
        for r in TargetResult.objects.filter(unit__in=[unit.pk, *[c.pk for c in children]], year__in={year, *due_years})
    }
    own = {t.pk: by_key.get((t.pk, unit.pk, year)) for t in targets}
    # A year with nothing reported has no point on the trend (a gap, not a fall to 0%).
    years = trend_years(year)  # the years of the plan in force that year
    trend_rows = TargetResult.objects.filter(unit=unit, year__in=years).only(
        "target_id", "year", "percent", "denominator", "not_reported",
    )
    trend = {(r.target_id, r.year): r.percent for r in trend_rows if not r.nothing_reported}
    run = ComputationRun.objects.filter(kind=RUN_KIND, year=year).first()
    rows = []
    for target in targets:
        result = own.get(target.pk)
        before_deadline = target.due_year is None or year <= target.due_year
        rows.append({
            "target": target,
            "result": result,
            "applies": target.applies_to(year),
            "judgement": judge(target, result, year, by_key.get((target.pk, unit.pk, target.due_year))),
            "projection": projection(target, result) if result and before_deadline and not result.achieved else None,
        })
    chart = {
        "years": list(years),
        "series": [
            {
                "code": t.code, "label": t.name, "threshold": float(t.threshold_percent),
                "values": [None if trend.get((t.pk, y)) is None else float(trend[(t.pk, y)]) for y in years],
            }
            for t in all_targets if t.first_year <= years[-1] and t.last_year >= years[0]
        ],
    }
    computed = [r.computed_at for r in own.values() if r is not None]
    return {
        "rows": rows, "children": children, "chart": chart, "run": run, "all_targets": all_targets,
        "child_rows": [
            (child, [
                (t, by_key.get((t.pk, child.pk, year)),
                 judge(t, by_key.get((t.pk, child.pk, year)), year, by_key.get((t.pk, child.pk, t.due_year))))
                for t in targets
            ])
            for child in children
        ],
        "computed_at": max(computed) if computed else None,
    }


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
