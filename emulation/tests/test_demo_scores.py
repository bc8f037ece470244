"""A fresh demo ranks every district and commune without anyone opening a sheet."""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from emulation.models import Score, ScoreSheet
from mattran.models import Unit, UnitKind

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_leaves_computed_sheets_for_every_district_and_commune(django_capture_on_commit_callbacks):
    call_command("import_units", "--province", "20", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):  # as after the commits of a real run
        call_command("seed_demo", stdout=StringIO())  # every demo year, 2016–2020 and 2025–2026

    for year in range(2016, 2021):
        for kind, count in ((UnitKind.DISTRICT, 11), (UnitKind.COMMUNE, 194)):
            units = Unit.objects.filter(kind=kind).active_on(datetime.date(year, 12, 31))  # the tree of the year
            sheets = ScoreSheet.objects.filter(guide__year=year, guide__scored_kind=kind, unit__in=units)
            assert units.count() == count
            assert sheets.count() == count, (year, kind)
            assert not sheets.filter(computed_at__isnull=True).exists()
            assert set(sheets.values_list("rank_in_province", flat=True)) >= {1}
            automatic = Score.objects.filter(sheet__in=sheets, criterion__mode="AUTOMATIC")
            assert automatic.count() >= count * 2
            assert not automatic.filter(auto_points__isnull=True).exists()
            assert automatic.filter(auto_points__gt=0).exists()
