"""Yearly counts of the registers written to IndicatorAggregate for every ancestor unit."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Indicator
from registers.loaders import REGISTER_INDICATORS, load_registers
from registers.models import MemberOrganisation
from registers.registry import REGISTERS
from registers.services import register_counts_to_aggregates
from registers.tasks import recompute_counts
from reports.models import IndicatorAggregate

from .factories import household, make_row, petition, training

pytestmark = pytest.mark.django_db


def aggregates(code, year=2019):
    rows = IndicatorAggregate.objects.filter(indicator__code=code, period=str(year))
    return {a.unit.code: int(a.value) for a in rows.select_related("unit")}


def test_fresh_migrate_holds_the_member_organisations_and_register_indicators(db):
    names = set(MemberOrganisation.objects.values_list("name", flat=True))
    assert {"Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Hội Cựu chiến binh", "Liên đoàn Lao động"} <= names
    assert any(n.startswith("Đoàn Thanh niên") for n in names)
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert set(REGISTER_INDICATORS) <= codes
    assert {"so_ho_nhan_do_dau", "kien_nghi_cu_tri", "cuoc_giam_sat_ke_hoach", "mo_hinh_tu_quan",
            "lop_tap_huan_so", "hoat_dong_doi_ngoai"} <= codes
    assert all(r.indicator_code in codes for r in REGISTERS.values())



def test_the_yearly_target_recompute_keeps_the_register_counts(tree):
    """The full recompute of a year rewrites the roll-up of reported values only: the registers'
    counts, which no report form carries, are still there afterwards."""
    from reports.targets.runs import year_recompute

    household(tree.area1)
    household(tree.area2)
    register_counts_to_aggregates(year=2019)
    before = aggregates("so_ho_nhan_do_dau")
    year_recompute(year=2019)
    assert aggregates("so_ho_nhan_do_dau") == before == {
        "D1C1A1": 1, "D2C1A1": 1, "D1C1": 1, "D2C1": 1, "D1": 1, "D2": 1, "20": 2,
    }

def test_loaders_run_twice_change_nothing(db):
    before = (MemberOrganisation.objects.count(), Indicator.objects.count())
    load_registers()
    assert (MemberOrganisation.objects.count(), Indicator.objects.count()) == before


def test_household_counts_roll_up_to_area_commune_district_and_province(tree):
    """Given 2 households in area 1.1, 1 in area 1.2 and 1 in area 2.1 adopted in 2019 (and one in 2018),
    then every ancestor holds its count for 2019."""
    household(tree.area1)
    household(tree.area1)
    household(tree.area1b)
    household(tree.area2)
    household(tree.area2, year_adopted=2018)
    register_counts_to_aggregates(year=2019)
    assert aggregates("so_ho_nhan_do_dau") == {
        "D1C1A1": 2, "D1C1A2": 1, "D2C1A1": 1, "D1C1": 3, "D2C1": 1, "D1": 3, "D2": 1, "20": 4,
    }
    province = IndicatorAggregate.objects.get(indicator__code="so_ho_nhan_do_dau", unit=tree.province, period="2019")
    assert province.year == 2019
    assert province.reporting_units == 3
    assert aggregates("so_ho_nhan_do_dau", 2018) == {}


def test_a_row_on_a_commune_counts_for_the_commune_itself_and_its_ancestors(tree):
    petition(tree.commune1)
    petition(tree.district2, received_on=datetime.date(2019, 7, 1), due_on=datetime.date(2019, 8, 1))
    petition(tree.commune1, received_on=datetime.date(2020, 1, 2), due_on=datetime.date(2020, 2, 1))
    register_counts_to_aggregates(year=2019)
    assert aggregates("kien_nghi_cu_tri") == {"D1C1": 1, "D1": 1, "D2": 1, "20": 2}


@pytest.mark.parametrize("slug", list(REGISTERS))
def test_every_register_counts_its_rows_of_the_year(tree, slug):
    """Given two rows in district 1 and one in district 2, the province counts 3 and district 1 counts 2."""
    for district in (1, 1, 2):
        make_row(slug, tree, district=district)
    register_counts_to_aggregates(year=2019)
    counts = aggregates(REGISTERS[slug].indicator_code)
    assert counts["20"] == 3
    assert counts["D1"] == 2
    assert counts["D2"] == 1


def test_a_rerun_gives_the_same_rows_and_forgets_deleted_ones(tree):
    training(tree.commune1)
    gone = training(tree.commune2)
    register_counts_to_aggregates(year=2019)
    first = aggregates("lop_tap_huan_so")
    register_counts_to_aggregates(year=2019)
    assert aggregates("lop_tap_huan_so") == first
    gone.delete()
    register_counts_to_aggregates(year=2019)
    assert aggregates("lop_tap_huan_so") == {"D1C1": 1, "D1": 1, "20": 1}


def test_the_computation_query_count_does_not_grow_with_rows(tree):
    """One GROUP BY per register and level: the same number of queries for 1 and 20 rows."""
    counts = []
    for total in (1, 20):
        for _ in range(total):
            household(tree.area1 if total == 1 else tree.area2)
        with CaptureQueriesContext(connection) as ctx:
            register_counts_to_aggregates(year=2019)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_celery_task_is_named_and_calls_the_service(tree):
    household(tree.area1)
    assert recompute_counts.name == "registers.recompute_counts"
    written = recompute_counts.delay(2019).get()
    assert written == 4
    assert aggregates("so_ho_nhan_do_dau")["20"] == 1


def test_saving_an_entry_queues_the_recount_of_its_year_after_commit(client, tree, officer1,
                                                                     django_capture_on_commit_callbacks):
    from django.urls import reverse

    from .factories import form_data

    client.force_login(officer1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registers:create", args=["tap-huan"]), form_data("tap-huan", tree))
    assert aggregates("lop_tap_huan_so") == {"D1C1": 1, "D1": 1, "20": 1}


def test_counts_of_a_year_follow_the_tree_of_that_year(tree):
    """An area moved to another district's commune in 2026 still counts for its 2019 commune and
    district; its 2026 record counts under the new ones."""
    from mattran.placements import placements_move

    household(tree.area1)
    household(tree.area2)
    placements_move(moves=[(tree.area1, tree.commune2)], on=datetime.date(2026, 1, 1))
    household(tree.area1, year_adopted=2026)
    register_counts_to_aggregates(year=2019)
    assert aggregates("so_ho_nhan_do_dau") == {
        "D1C1A1": 1, "D2C1A1": 1, "D1C1": 1, "D2C1": 1, "D1": 1, "D2": 1, "20": 2,
    }
    register_counts_to_aggregates(year=2026)
    assert aggregates("so_ho_nhan_do_dau", 2026) == {"D1C1A1": 1, "D2C1": 1, "D2": 1, "20": 1}
