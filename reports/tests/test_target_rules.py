"""Each rule of a target in its two forms (programs/target_rules.py) gives one answer.

For every condition (yes/no, number, rating): the units a page lists behind a percentage (the
ORM form, ``counted_units``; each listed unit also judged by the Python form) are exactly the
units the computed percentage counts (the SQL form, ``target_results_compute``), at every level:
the same met, counted and not reported.
"""
from decimal import Decimal

import pytest

from mattran.models import Unit, UnitKind
from programs import target_rules
from programs.models import Indicator, Operator, RatingLevel, Target, TargetCondition
from reports.models import SubmissionStatus, TargetResult
from reports.targets import sql
from reports.targets.names import MET, NOT_MET, NOT_REPORTED, counted_units, rows_of, status_counts, with_values
from reports.tests.computation_world import unit
from reports.tests.target_factories import festival, ratings, submit
from tests.factories import make_tree

pytestmark = pytest.mark.django_db

YEAR = 2019


def areas(commune_code):
    return list(Unit.objects.filter(commune__code=commune_code, kind=UnitKind.AREA).order_by("code"))


def yes_no_target():
    """Areas held the festival: yes, no, missing, and a yes not yet approved."""
    d1c1, d1c2, d2c1 = areas("D1C1"), areas("D1C2"), areas("D2C1")
    festival(unit("D1"), YEAR, {d1c1[0]: True, d1c1[1]: False, d1c2[0]: True, d1c2[1]: True, d1c2[2]: False})
    festival(unit("D2"), YEAR, {d2c1[0]: True, d2c1[1]: True}, status=SubmissionStatus.SUBMITTED)
    return Target.objects.get(code="ngay_hoi_kdc")


def rating_target():
    """Areas rated at, above and below "khá", and unrated."""
    d1c1, d1c2, d2c2 = areas("D1C1"), areas("D1C2"), areas("D2C2")
    ratings("xep_loai_bctmt", "xep_loai_bctmt", unit("D1"), YEAR,
            {d1c1[0]: "tot", d1c1[1]: "kha", d1c1[2]: "trung_binh", d1c2[0]: "yeu"})
    ratings("xep_loai_bctmt", "xep_loai_bctmt", unit("D2"), YEAR, {d2c2[0]: "kha", d2c2[2]: "tot"})
    return Target.objects.get(code="bctmt_kha_tro_len")


def number_target():
    """Communes with at least 3 mediation cases: above, at and below the threshold, and missing."""
    target = Target.objects.create(
        code="hoa_giai_3", name="Trên 50% xã có từ 3 vụ hòa giải", indicator=Indicator.objects.get(code="hoa_giai_vu"),
        counted_kinds=[UnitKind.COMMUNE], condition=TargetCondition.NUMBER_AT_LEAST, number_threshold=Decimal(3),
        operator=Operator.GT, threshold_percent=Decimal(50), first_year=2016, last_year=2020,
    )
    submit("bao_cao_thang", unit("D1"), YEAR, {("hoa_giai_vu", unit("D1C1")): 5, ("hoa_giai_vu", unit("D1C2")): 3})
    submit("bao_cao_thang", unit("D2"), YEAR, {("hoa_giai_vu", unit("D2C1")): 2})
    return target


@pytest.mark.parametrize("given", [yes_no_target, number_target, rating_target], ids=["yes_no", "number", "rating"])
def test_the_units_behind_a_percentage_are_the_percentage(given):
    make_tree(districts=2, communes=2, areas=3)
    target = given()
    assert sql.target_results_compute(target=target, year=YEAR) > 0
    results = TargetResult.objects.filter(target=target, year=YEAR).select_related("unit")
    assert results
    for result in results:
        units = counted_units(target, result.unit, YEAR)
        counts = status_counts(units)
        met, total, not_reported = counts[MET], sum(counts.values()), counts[NOT_REPORTED]
        assert (met, total, not_reported) == (result.numerator, result.denominator, result.not_reported), result.unit
        assert target_rules.percent_of(met, total) == result.percent
        assert target.meets(met, total) == result.achieved
        # Each listed unit's status (SQL form) is the Python form's judgement of its value.
        for row in rows_of(target, with_values(units).select_related("v__rating_level"), YEAR):
            u = row.unit
            if row.status == NOT_REPORTED:
                assert row.value is None
                continue
            rank = u.v.rating_level.rank if u.v.rating_level_id else None
            met_in_python = target_rules.condition_met(target, value_bool=u.v.value_bool, value_number=u.v.value_number, rating_rank=rank)
            assert (row.status == MET) is met_in_python and row.status in (MET, NOT_MET), u.code


@pytest.mark.parametrize(
    ("condition", "values", "met"),
    [
        (TargetCondition.IS_TRUE, {"value_bool": True}, True),
        (TargetCondition.IS_TRUE, {"value_bool": False}, False),
        (TargetCondition.IS_TRUE, {}, False),
        (TargetCondition.NUMBER_AT_LEAST, {"value_number": Decimal(3)}, True),
        (TargetCondition.NUMBER_AT_LEAST, {"value_number": Decimal("2.99")}, False),
        (TargetCondition.NUMBER_AT_LEAST, {}, False),
        (TargetCondition.RATING_AT_LEAST, {"rating_rank": 3}, True),
        (TargetCondition.RATING_AT_LEAST, {"rating_rank": 2}, False),
        (TargetCondition.RATING_AT_LEAST, {}, False),
    ],
)
def test_a_condition_decides_one_value_at_its_threshold_inclusive(condition, values, met):
    """"Từ … trở lên": a value equal to the threshold meets the condition; no value never does."""
    target = Target(condition=condition, number_threshold=Decimal(3), rating_level=RatingLevel(rank=3))
    assert target_rules.condition_met(target, **values) is met
