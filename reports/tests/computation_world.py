"""Helpers of the target computation tests: the rows as tuples, one target computed, a unit by code."""
from mattran.models import Unit
from programs.models import Indicator, Target
from reports.models import IndicatorAggregate, TargetResult
from reports.targets import selectors as target_selectors
from reports.targets import sql

YEAR = 2019


def result(code, unit_code, year=YEAR):
    return TargetResult.objects.get(target__code=code, unit__code=unit_code, year=year)


def snapshot(model=TargetResult):
    """Every row's content, without ids and computation times."""
    if model is TargetResult:
        fields = ("target__code", "unit__code", "year", "numerator", "denominator", "percent", "achieved",
                  "due", "not_reported", "not_approved")
    else:
        fields = ("indicator__code", "unit__code", "period", "year", "value", "reporting_units")
    return sorted(model.objects.values_list(*fields))


def compute(code, year=YEAR):
    return sql.target_results_compute(target=Target.objects.get(code=code), year=year)


def unit(code):
    return Unit.objects.get(code=code)


def aggregate(code, unit_code, period):
    """(value, reporting units) as readers see them: the stored roll-up, or else the unit's own value."""
    indicator, target = Indicator.objects.get(code=code), unit(unit_code)
    value = target_selectors.aggregate_values([indicator.pk], [target.pk], [period]).get((indicator.pk, target.pk, period))
    row = IndicatorAggregate.objects.filter(indicator=indicator, unit=target, period=period).first()
    if row is not None:
        assert row.value == value
        return row.value, row.reporting_units
    return (value, 1) if value is not None else None
