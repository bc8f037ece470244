"""The dated tree across the 2025 reform: figures of earlier years never move.

On the demo's Lạng Sơn (its areas, two years of submissions), the reform import followed by a
full recompute of those years leaves every TargetResult, IndicatorAggregate and emulation score
row as it was, and so does moving an area to another new ward from 1/7/2025.
"""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from demo.data import seed_demo
from emulation.models import Score, ScoreSheet
from emulation.recompute import scores_recompute
from mattran.models import Unit, UnitKind, UnitPlacement
from mattran.services import areas_move
from reports.models import IndicatorAggregate, TargetResult
from reports.targets import runs

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEARS = [2019, 2020]
REFORM = datetime.date(2025, 7, 1)


def figures():
    return (
        sorted(TargetResult.objects.filter(year__in=YEARS).values_list(
            "target_id", "unit_id", "year", "numerator", "denominator", "percent", "achieved", "due", "not_reported", "not_approved",
        )),
        sorted(IndicatorAggregate.objects.filter(year__in=YEARS).values_list(
            "indicator_id", "unit_id", "period", "value", "reporting_units",
        )),
        sorted(ScoreSheet.objects.values_list("guide_id", "unit_id", "total", "band_id", "rank_in_cluster", "rank_in_province")),
        sorted(Score.objects.values_list("sheet__unit_id", "criterion_id", "auto_points", "auto_detail")),
    )


def recompute():
    runs.years_recompute_inline(YEARS)
    for year in YEARS:
        scores_recompute(year=year)


def test_the_reform_and_a_later_move_leave_every_figure_of_earlier_years_as_it_was():
    seed_demo(years=YEARS, recompute=False)
    recompute()
    before = figures()
    assert len(before[0]) > 100 and len(before[1]) > 1000  # the check has something to compare
    assert max(row[4] for row in before[0]) > 2000  # the province counts its ~2,300 areas

    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    recompute()
    assert figures() == before

    # An area of a divided commune moved by an administrator to another successor, from 1/7/2025.
    in_2020 = UnitPlacement.objects.on(datetime.date(2020, 12, 31)).filter(kind=UnitKind.AREA).values("unit_id")
    area = Unit.objects.filter(pk__in=in_2020, valid_to__isnull=True).order_by("code").first()
    old_commune = UnitPlacement.objects.on(datetime.date(2020, 12, 31)).get(unit=area).commune
    elsewhere = Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=REFORM).exclude(pk=area.parent_id).order_by("code").first()
    areas_move(areas=[area], to=elsewhere, on=REFORM)
    recompute()
    assert figures() == before
    assert not TargetResult.objects.filter(year__in=YEARS, unit=elsewhere).exists()  # no row for a ward of 2025
    area.refresh_from_db()
    assert area.parent == elsewhere
    assert UnitPlacement.objects.on(datetime.date(2020, 12, 31)).get(unit=area).commune == old_commune
