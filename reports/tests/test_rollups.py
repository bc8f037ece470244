"""Indicator roll-ups up the tree and the year, on small hand-computed trees."""
from decimal import Decimal

import pytest

from reports.models import (
    IndicatorAggregate,
)
from reports.targets import rollups
from reports.tests.computation_world import YEAR, aggregate

pytestmark = pytest.mark.django_db


def test_a_units_own_value_for_its_own_period_is_read_not_copied(monthly, festival_2019):
    """The roll-up stores no row that only repeats a reported value (D1C1's March, an area's festival
    record); readers get the reported value itself. A sum over the period or the subtree is stored."""
    rollups.indicator_aggregates_compute(year=YEAR)
    stored = IndicatorAggregate.objects.filter
    assert not stored(indicator__code="quy_vnn_thu", unit__code="D1C1", period="2019-03").exists()
    assert not stored(indicator__code="ngay_hoi_to_chuc", unit__code="D1C1A1", period="2019").exists()
    assert stored(indicator__code="quy_vnn_thu", unit__code="D1C1", period="2019-Q1").exists()
    assert stored(indicator__code="quy_vnn_thu", unit__code="D1", period="2019-03").exists()
    assert aggregate("quy_vnn_thu", "D1C1", "2019-03") == (Decimal("3"), 1)
    assert aggregate("ngay_hoi_to_chuc", "D1C1A1", "2019") == (Decimal("1"), 1)
    assert aggregate("quy_vnn_thu", "D2C1", "2019-01") is None  # a draft's value is not read either


def test_sums_roll_up_from_months_to_quarters_halves_nine_months_and_the_year(monthly):
    """SUM: Q1 = 1+2+3, H1 = 21, 9M = 45, year = 78 for D1C1; the district adds D1C2's 60; drafts do not count."""
    rollups.indicator_aggregates_compute(year=YEAR)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-03") == (Decimal("3"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-Q1") == (Decimal("6"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-H1") == (Decimal("21"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-9M") == (Decimal("45"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019") == (Decimal("78"), 1)
    assert aggregate("quy_vnn_thu", "D1", "2019") == (Decimal("138"), 2)
    assert aggregate("quy_vnn_thu", "20", "2019-Q3") == (Decimal("24"), 1)
    assert aggregate("quy_vnn_thu", "20", "2019") == (Decimal("138"), 2)
    assert not IndicatorAggregate.objects.filter(unit__code__in=["D2", "D2C1"]).exists()


def test_stocks_take_each_units_last_value_in_the_period(monthly):
    """LAST: D1C1's Q2 is June's 106 and its year December's 112; D1C2 last reported 7 in February."""
    rollups.indicator_aggregates_compute(year=YEAR)
    assert aggregate("ton_quy_test", "D1C1", "2019-Q2") == (Decimal("106"), 1)
    assert aggregate("ton_quy_test", "D1C1", "2019") == (Decimal("112"), 1)
    assert aggregate("ton_quy_test", "D1", "2019-Q1") == (Decimal("110"), 2)
    assert aggregate("ton_quy_test", "D1", "2019") == (Decimal("119"), 2)


def test_yes_no_values_roll_up_as_the_number_of_yes(festival_2019):
    """The festival's yes/no rolls up to the count of areas that held it, with the count that reported."""
    rollups.indicator_aggregates_compute(year=YEAR)
    assert aggregate("ngay_hoi_to_chuc", "20", "2019") == (Decimal("7"), 8)
    assert aggregate("ngay_hoi_to_chuc", "D1C1A1", "2019") == (Decimal("1"), 1)


def test_a_rerun_of_the_year_writes_only_what_changed(monthly):
    """The year replaced over unchanged values writes no row (no dead rows left behind); one changed
    value rewrites only the roll-ups containing it, a withdrawn one deletes the rows it alone held."""
    from reports.models import DataValue, Submission

    first = rollups.indicator_aggregates_compute(year=YEAR)
    before = {row[:3]: row[3:] for row in IndicatorAggregate.objects.values_list("indicator_id", "unit_id", "period", "value", "computed_at")}
    assert first == len(before) > 40
    assert rollups.indicator_aggregates_compute(year=YEAR) == 0
    after = IndicatorAggregate.objects.values_list("indicator_id", "unit_id", "period", "value", "computed_at")
    assert {row[:3]: row[3:] for row in after} == before  # not even computed_at moved
    # D1C1's November fund: 11 → 20. Its November, Q4, H2 and year rise at D1C1, D1 and the province
    # (its 9 months do not contain November); D1C1's own November row is the value itself, not stored.
    DataValue.objects.filter(indicator__code="quy_vnn_thu", unit__code="D1C1", period="2019-11").update(value_number=20)
    assert rollups.indicator_aggregates_compute(year=YEAR) == 3 * 4 - 1
    assert aggregate("quy_vnn_thu", "D1", "2019") == (Decimal("147"), 2)
    # D1's December submission back to draft: D1C1's December and its stock's December go.
    Submission.objects.filter(unit__code="D1", period="2019-12").update(status="DRAFT")
    rollups.indicator_aggregates_compute(year=YEAR)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-12") is None
    assert aggregate("ton_quy_test", "D1C1", "2019") == (Decimal("111"), 1)
    assert not IndicatorAggregate.objects.filter(unit__code="D1", period="2019-12").exists()
