"""Target results on small hand-computed trees: one SQL statement per target, exact decisions."""
import datetime
from decimal import Decimal

import pytest

from mattran.models import Unit, UnitKind
from mattran.placements import placements_sync
from programs import target_rules
from programs.models import Target
from reports.models import (
    SubmissionStatus,
    TargetResult,
)
from reports.tests.computation_world import YEAR, compute, result, unit
from reports.tests.target_factories import festival, ratings, submit
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_festival_counts_areas_per_level_with_exact_numerators_and_denominators(festival_2019):
    """Given the festival records, each level counts its own areas; unreported and draft areas count only below."""
    compute("ngay_hoi_kdc")
    province = result("ngay_hoi_kdc", "20")
    assert (province.numerator, province.denominator, province.not_reported, province.not_approved) == (7, 12, 4, 2)
    assert province.percent == Decimal("58.33") and province.achieved is False and province.due is True
    d1 = result("ngay_hoi_kdc", "D1")
    assert (d1.numerator, d1.denominator, d1.percent, d1.achieved, d1.not_reported) == (6, 6, Decimal("100.00"), True, 0)
    d2c1 = result("ngay_hoi_kdc", "D2C1")
    assert (d2c1.numerator, d2c1.denominator, d2c1.percent, d2c1.not_reported, d2c1.not_approved) == (
        1, 3, Decimal("33.33"), 1, 2,
    )
    d2c2 = result("ngay_hoi_kdc", "D2C2")
    assert (d2c2.numerator, d2c2.denominator, d2c2.not_reported) == (0, 3, 3)
    assert TargetResult.objects.filter(year=YEAR).count() == 1 + 2 + 4


def test_percent_rounds_half_up_to_two_decimals():
    """2/3 is 66.67 and 1/8 is 12.50 (12.5 exactly), 1/6 is 16.67; nothing to count gives no percent."""
    assert target_rules.percent_of(2, 3) == Decimal("66.67")
    assert target_rules.percent_of(1, 8) == Decimal("12.50")
    assert target_rules.percent_of(1, 6) == Decimal("16.67")
    assert target_rules.percent_of(1, 200) == Decimal("0.50")
    assert target_rules.percent_of(0, 0) is None


@pytest.mark.parametrize(("operator", "threshold"), [("GT", "95"), ("GTE", "95"), ("GT", "33.33"), ("GTE", "66.67"), ("GT", "0")])
def test_the_sql_decision_and_percentage_equal_target_meets_and_percent_of(operator, threshold):
    """For every numerator ≤ denominator ≤ 60, the database decides exactly as Target.meets and rounds as percent_of."""
    from django.db import connection

    target = Target(operator=operator, threshold_percent=Decimal(threshold))
    pairs = [(n, d) for d in range(1, 61) for n in range(d + 1)]
    achieved, params = target_rules.achieved_sql(target, "n", "d")
    values = ", ".join(f"({n}, {d})" for n, d in pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, d, {achieved}, {target_rules.percent_cents_sql('n', 'd')}"
            f" FROM (SELECT column1 AS n, column2 AS d FROM (VALUES {values}) AS v) AS pairs",
            params,
        )
        rows = cursor.fetchall()
    assert len(rows) == len(pairs)
    for n, d, decided, cents in rows:
        assert bool(decided) == target.meets(n, d), (n, d)
        assert Decimal(cents) / 100 == target_rules.percent_of(n, d), (n, d)


def test_exactly_95_percent_does_not_meet_more_than_95_percent():
    """Given 19 of 20 areas holding the festival (95.00%), "trên 95%" is not met; 20 of 20 is."""
    province = make_unit("20", "Tỉnh", UnitKind.PROVINCE)
    district = make_unit("D1", "Huyện", UnitKind.DISTRICT, province)
    commune = make_unit("D1C1", "Xã", UnitKind.COMMUNE, district)
    areas = [make_unit(f"A{i}", f"Thôn {i}", UnitKind.AREA, commune) for i in range(20)]
    submission = festival(district, YEAR, {a: i != 0 for i, a in enumerate(areas)})
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "20")
    assert (row.numerator, row.denominator, row.percent, row.achieved) == (19, 20, Decimal("95.00"), False)
    submission.values.update(value_bool=True)
    compute("ngay_hoi_kdc")
    assert result("ngay_hoi_kdc", "20").achieved is True


def test_a_tree_without_counted_units_gets_no_rows():
    """Given a province with communes but no residential areas, the area targets write nothing (denominator 0)."""
    province = make_unit("20", "Tỉnh", UnitKind.PROVINCE)
    make_unit("D1C1", "Xã", UnitKind.COMMUNE, make_unit("D1", "Huyện", UnitKind.DISTRICT, province))
    assert compute("ngay_hoi_kdc") == 0
    assert not TargetResult.objects.exists()


def test_missing_values_are_not_reported_and_stay_in_the_denominator(tree):
    """Given no festival record at all, every area is in the denominator and not reported."""
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "20")
    assert (row.numerator, row.denominator, row.not_reported, row.percent) == (0, 12, 12, Decimal("0.00"))


def test_units_ended_before_the_year_end_or_started_after_it_are_not_counted(tree):
    """An area that ended in June or starts next year is not counted; one that ends on 31 December is."""
    Unit.objects.filter(code="D1C1A1").update(valid_to=datetime.date(YEAR, 6, 30))
    Unit.objects.filter(code="D1C1A2").update(valid_from=datetime.date(YEAR + 1, 1, 1))
    Unit.objects.filter(code="D1C1A3").update(valid_to=datetime.date(YEAR, 12, 31))
    placements_sync()  # a direct UPDATE bypasses the model: the dated tree follows
    festival(unit("D1"), YEAR, {unit("D1C1A1"): True, unit("D1C1A3"): True})
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "D1C1")
    assert (row.numerator, row.denominator, row.not_reported) == (1, 1, 0)
    assert result("ngay_hoi_kdc", "20").denominator == 10


def test_ratings_count_units_at_or_above_the_level_and_not_below(tree):
    """Tốt and Khá meet "khá trở lên"; Trung bình and Yếu do not."""
    levels = {"D1C1A1": "tot", "D1C1A2": "kha", "D1C1A3": "trung_binh", "D1C2A1": "yeu"}
    ratings("xep_loai_bctmt", "xep_loai_bctmt", unit("D1"), YEAR, {unit(c): lv for c, lv in levels.items()})
    compute("bctmt_kha_tro_len")
    row = result("bctmt_kha_tro_len", "D1")
    assert (row.numerator, row.denominator, row.not_reported) == (2, 6, 2)
    assert result("bctmt_kha_tro_len", "D1C1").numerator == 2
    assert result("bctmt_kha_tro_len", "D1").due is True
    compute("bctmt_kha_tro_len", year=2018)
    assert result("bctmt_kha_tro_len", "D1", year=2018).due is False


def test_returned_and_draft_submissions_never_count(tree):
    """A returned record and a draft leave their areas not reported."""
    festival(unit("D1"), YEAR, {unit("D1C1A1"): True}, status=SubmissionStatus.RETURNED)
    submit("ngay_hoi", unit("D1C2"), YEAR, {("ngay_hoi_to_chuc", unit("D1C2A1")): True}, status=SubmissionStatus.DRAFT)
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "D1")
    assert (row.numerator, row.not_reported, row.not_approved) == (0, 6, 0)


def test_mttq_counts_the_district_committee_and_its_commune_committees_together(tree):
    """A district counts itself and its communes; a commune counts itself; the province counts all six."""
    ratings("xep_loai_mttq_huyen", "xep_loai_mttq", unit("20"), YEAR, {unit("D1"): "vung_manh", unit("D2"): "kha"})
    ratings("xep_loai_mttq_xa", "xep_loai_mttq", unit("D1"), YEAR, {unit("D1C1"): "vung_manh", unit("D1C2"): "kha"})
    compute("mttq_vung_manh")
    d1 = result("mttq_vung_manh", "D1")
    assert (d1.numerator, d1.denominator) == (2, 3)
    assert (result("mttq_vung_manh", "D1C1").numerator, result("mttq_vung_manh", "D1C1").denominator) == (1, 1)
    province = result("mttq_vung_manh", "20")
    assert (province.numerator, province.denominator, province.not_reported) == (2, 6, 2)
