"""The roll-up's pivot formulation gives, row for row, what the earlier formulation gave
(``rollup_reference``): every aggregation rule (SUM, LAST, yes/no), values reported for months,
quarters, halves and the year, at every level, drafts, and a commune
moved to another district in the middle of the year; for a whole year, one changed period,
a scope's subtree and a subset of indicators."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mattran.placements import placements_move
from programs.loaders import load_indicators
from programs.models import Indicator
from reports.models import SubmissionStatus
from reports.periods import Period
from reports.targets import pivot, rollups
from reports.targets.scope import Scope
from reports.tests import rollup_reference as reference
from reports.tests.computation_world import YEAR, unit
from reports.tests.target_factories import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monthly, festival_2019):
    """The ``monthly`` and ``festival_2019`` worlds, and more: values for quarters, halves and the
    year beside the months, ancestors' own values, a submitted (not approved) record, and D1C2 moved from
    D1 to D2 on 1 July (its months before stay under D1)."""
    load_indicators({"ton_kho_test": ("Tồn kho (thử)", "cái", "INTEGER", None, "LAST", 0)})
    submit("bao_cao_thang", unit("D1"), f"{YEAR}-Q2", {
        ("quy_vnn_thu", unit("D1C1")): 5, ("ton_quy_test", unit("D1C2")): 9, ("ton_kho_test", unit("D1C1A1")): 4,
    })
    submit("bao_cao_thang", unit("D1"), f"{YEAR}-H2", {("quy_vnn_thu", unit("D1C1A2")): 8, ("ton_kho_test", unit("D1C1A1")): 6})
    submit("bao_cao_thang", unit("D1"), f"{YEAR}-9M", {("quy_vnn_thu", unit("D1")): 40, ("ton_quy_test", unit("D1")): 70})
    submit("bao_cao_thang", unit("D1"), str(YEAR), {("quy_vnn_thu", unit("D1C2")): 11, ("ton_kho_test", unit("D2C1A1")): 2})
    submit("bao_cao_thang", unit("D2"), f"{YEAR}-05", {("ton_kho_test", unit("D2C2A3")): 1}, status=SubmissionStatus.SUBMITTED)
    placements_move(moves=[(unit("D1C2"), unit("D2"))], on=datetime.date(YEAR, 7, 1))
    for month in (8, 11):
        submit("bao_cao_thang", unit("D2"), f"{YEAR}-{month:02d}", {
            ("quy_vnn_thu", unit("D1C2")): month, ("ton_quy_test", unit("D1C2")): 50 + month,
            ("ton_kho_test", unit("D1C2A1")): month,
        })


def _rows(sql_params):
    sql, params = sql_params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT indicator_id, unit_id, period, value, reporting_units FROM ({sql}) rows", params)  # noqa: S608
        return sorted((i, u, p, Decimal(str(v)).quantize(Decimal("0.0001")), r) for i, u, p, v, r in cursor.fetchall())


def _both(**kwargs):
    now = timezone.now()
    new = _rows(rollups.indicator_aggregates_sql(YEAR, now, insert=False, **kwargs))
    old = _rows(reference.indicator_aggregates_sql(YEAR, now, insert=False, **kwargs))
    return new, old


def test_the_whole_year_is_row_for_row_the_earlier_roll_up(world):
    new, old = _both()
    assert new == old
    periods = {period for _i, _u, period, _v, _r in new}
    assert len(periods) == 20  # every standard period is there
    assert len(new) > 150


def test_the_moved_commune_splits_the_year_by_its_placement(world):
    """D1C2's months go to D1 before July and to D2 after; its year's stock is December's… here
    November's 61 under D2, and D1 keeps none of D1C2's stock for the year."""
    new, old = _both()
    assert new == old
    indicator = {code: pk for code, pk in Indicator.objects.values_list("code", "pk")}
    found = {(i, u, p): (v, r) for i, u, p, v, r in new}
    d1, d2 = unit("D1").pk, unit("D2").pk
    assert found[(indicator["quy_vnn_thu"], d2, f"{YEAR}-H2")] == (Decimal("19"), 1)  # D1C2's August + November
    assert found[(indicator["ton_quy_test"], d2, str(YEAR))][0] == Decimal("61")
    # D1's year: D1C1's 112 and its own 9-month 70; D1C2's stock (last under D1 in Q2) is later under D2.
    assert found[(indicator["ton_quy_test"], d1, str(YEAR))] == (Decimal("182"), 2)


@pytest.mark.parametrize("period", [f"{YEAR}-03", f"{YEAR}-Q2", f"{YEAR}-H2", f"{YEAR}-9M", str(YEAR)])
def test_one_changed_period_rewrites_the_same_rows(world, period):
    new, old = _both(within=Period.parse(period))
    assert new == old and new


@pytest.mark.parametrize("code", ["D1", "D2", "D1C1", "D1C2", "D1C1A1"])
def test_a_scopes_subtree_gives_the_same_rows(world, code):
    new, old = _both(scope=Scope(unit(code), YEAR))
    assert new == old and new


def test_a_subset_of_indicators_gives_the_same_rows(world):
    ids = Indicator.objects.filter(code__in=["quy_vnn_thu", "ton_kho_test", "ngay_hoi_to_chuc"]).values_list("pk", flat=True)
    indicators = rollups.rolled_indicators(tuple(ids))
    new, old = _both(indicators=indicators, scope=Scope(unit("D1"), YEAR), within=Period.parse(f"{YEAR}-Q2"))
    assert new == old and new


def test_a_units_own_values_one_row_per_period(world):
    """The narrow per-unit rows (an ancestor's own values in an incremental run) are the earlier ones."""
    for code in ("D1", "D1C1", "D1C2"):
        where = (" AND dv.unit_id = %s", [unit(code).pk])
        columns = "indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst, v, exact"
        queries = [pivot.per_unit_sql(YEAR, where), reference._per_unit_sql(YEAR, where)]
        found = []
        for sql, params in queries:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {columns} FROM ({sql}) rows", params)  # noqa: S608
                found.append(sorted((*row[:7], Decimal(str(row[7])).quantize(Decimal("0.0001")), row[8]) for row in cursor.fetchall()))
        assert found[0] == found[1] and found[0], code


def test_a_year_without_moves_skips_the_placement_comparison_and_gives_the_same_rows(monthly, festival_2019):
    from mattran.placements import tree_changes_within

    assert not tree_changes_within(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    new, old = _both()
    assert new == old and len(new) > 100
