"""Plans shown for a unit: its own, or else the sum of those given beneath it."""
from decimal import Decimal

import pytest

from mattran.models import UnitKind
from programs.models import ValueType
from reports.dashboard.selectors import plans_by
from reports.models import PlanValue
from reports.tests.factories import make_indicator, make_unit

pytestmark = pytest.mark.django_db


def test_a_province_without_a_plan_of_its_own_shows_the_sum_of_its_districts_plans(django_assert_num_queries):
    """Given plans for two districts and none for the province, the province's plan is their sum."""
    province = make_unit("P", UnitKind.PROVINCE)
    first, second = (make_unit(f"D{n}", UnitKind.DISTRICT, province) for n in (1, 2))
    other = make_unit("Q", UnitKind.PROVINCE)
    elsewhere = make_unit("QD", UnitKind.DISTRICT, other)
    fund = make_indicator("t_quy", ValueType.DECIMAL)
    for unit, value in ((first, "100.50"), (second, "200"), (elsewhere, "999")):
        PlanValue.objects.create(indicator=fund, unit=unit, year=2019, value=Decimal(value))

    with django_assert_num_queries(1):
        plans = plans_by([province, first, other], [fund], [2019])

    assert plans[(fund.pk, province.pk, 2019)] == Decimal("300.50")
    assert plans[(fund.pk, first.pk, 2019)] == Decimal("100.50")
    assert plans[(fund.pk, other.pk, 2019)] == Decimal("999")


def test_a_plan_given_to_the_unit_itself_wins_over_the_sum_beneath_it():
    province = make_unit("P", UnitKind.PROVINCE)
    district = make_unit("D1", UnitKind.DISTRICT, province)
    fund = make_indicator("t_quy", ValueType.DECIMAL)
    PlanValue.objects.create(indicator=fund, unit=district, year=2019, value=Decimal("100"))
    PlanValue.objects.create(indicator=fund, unit=province, year=2019, value=Decimal("150"))

    assert plans_by([province], [fund], [2019])[(fund.pk, province.pk, 2019)] == Decimal("150")


def test_trend_years_come_from_the_plan_in_force_that_year():
    """2019 is drawn over the 2015–2020 plan's target years, 2027 over the copied 2025–2030 plan's;
    a year no plan covers falls back to the catalogue's years. The plans are read once per change of
    the catalogue (its token and the plans), then only the token is read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs.models import ActionPlan
    from programs.services import plan_copy
    from reports.constants import TREND_YEARS, trend_years

    source = ActionPlan.objects.order_by("term_start").first()
    assert trend_years(2019) == TREND_YEARS == tuple(range(2016, 2021))
    plan_copy(source=source, code="ct-2025-2030", title="Chương trình 2025–2030 (ví dụ)", term_start=2025, term_end=2030)
    with CaptureQueriesContext(connection) as queries:
        years = trend_years(2027)
    assert len(queries) == 2  # the tokens, then the plans (the copy is older than the plan copied)
    with CaptureQueriesContext(connection) as queries:
        assert trend_years(2027) == years
    assert len(queries) == 1 and "mattran_copyversion" in queries[0]["sql"]
    assert years[0] >= 2025 and years[-1] == 2030 and 2027 in years
    assert trend_years(2019) == tuple(range(2016, 2021))
    assert trend_years(2023) == TREND_YEARS


def test_a_program_page_follows_the_plan_in_force_in_its_year():
    """With a 2025–2030 copy, program 1 of 2019 still shows the 2015–2020 plan's targets and the
    program's indicators; program 1 of 2027 the copy's targets, with the same shared indicators."""
    from programs.models import ActionPlan
    from programs.services import plan_copy
    from reports.dashboard.selectors import program_figures

    province = make_unit("20", UnitKind.PROVINCE, None, name="Tỉnh")
    source = ActionPlan.objects.order_by("term_start").first()
    before = program_figures(province, 1, 2019)
    figures_before = program_figures(province, 2, 2019)["table"].indicators
    assert before["targets"] and figures_before  # program 1 holds the targets, program 2 numeric figures
    plan_copy(source=source, code="ct-2025-2030", title="Chương trình 2025–2030 (ví dụ)", term_start=2025, term_end=2030)
    old, new = program_figures(province, 1, 2019), program_figures(province, 1, 2027)
    assert old["program"].plan == source and new["program"].plan.code == "ct-2025-2030"
    assert [r.target.code for r in old["targets"]] == [r.target.code for r in before["targets"]]
    assert new["targets"] and {r.target.program.plan.code for r in new["targets"]} == {"ct-2025-2030"}
    assert program_figures(province, 2, 2027)["table"].indicators == figures_before
