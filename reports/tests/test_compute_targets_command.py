"""manage.py compute_targets --year YEAR [--unit CODE]: runs the task and prints a table."""
import pytest
from django.core.management import CommandError, call_command

from mattran.models import Unit, UnitKind
from mattran.tests.factories import make_tree
from reports.models import ComputationRun

from .target_factories import festival

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    province = make_tree(districts=1, communes=1, areas=4)
    festival(Unit.objects.get(code="D1"), 2019, {a: True for a in Unit.objects.filter(kind=UnitKind.AREA)[:3]})
    return province


def test_prints_the_provinces_results_as_a_table(tree, capsys):
    """Given 3 of 4 areas holding the festival, the table shows 3/4, 75.00%, Không đạt, 1 not reported."""
    call_command("compute_targets", "--year", "2019")
    out = capsys.readouterr().out
    header, *lines = out.strip().splitlines()
    assert header.split()[:2] == ["Chỉ", "tiêu"]
    festival_line = next(line for line in lines if line.startswith("ngay_hoi_kdc"))
    assert festival_line.split() == ["ngay_hoi_kdc", "20", "3/4", "75.00%", "Không", "đạt", "Có", "1"]
    assert ComputationRun.objects.get(kind="targets", year=2019).status == "DONE"


def test_unit_option_prints_that_unit_only(tree, capsys):
    call_command("compute_targets", "--year", "2019", "--unit", "D1C1")
    lines = capsys.readouterr().out.strip().splitlines()[1:]
    assert lines and all(line.split()[1] == "D1C1" for line in lines)


def test_bad_year_and_unknown_unit_are_refused_in_vietnamese(tree):
    with pytest.raises(CommandError, match="Năm 1800 không hợp lệ"):
        call_command("compute_targets", "--year", "1800")
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("compute_targets", "--year", "2019", "--unit", "NOPE")
