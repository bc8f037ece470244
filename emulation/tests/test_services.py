"""Services of score sheets: totals, automatic points, caps, bands, ranks, guides and recomputation."""
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from emulation import recompute, services
from emulation.models import (
    Cluster,
    Criterion,
    EmulationGuide,
    Score,
    ScoreSheet,
)
from mattran.models import UnitKind
from programs.models import Target
from reports.models import ComputationRun

from . import factories as f
from .sheet_world import YEAR, fill, score_of

pytestmark = pytest.mark.django_db


def test_sheet_total_adds_manual_and_automatic_points_exactly(world):
    """Given A = 35.5, B = 20.25 and the festival at 18/20 (90% of a 95% target), the total is 35.5 + 20.25 + 28.42."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 18, 20)
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="35.5", B="20,25")
    recompute.scores_recompute(year=YEAR)
    sheet.refresh_from_db()
    assert score_of(sheet, "C").auto_points == D("28.42")
    assert score_of(sheet, "C").auto_detail == "18/20 = 90,00%"
    assert sheet.total == D("84.17")
    assert sheet.band.name == "Vững mạnh"


def test_a_unit_where_nobody_reported_reads_not_reported_not_a_zero_percent(world):
    """0 of 20 areas because none of the 20 reported is "Chưa báo cáo", not "0/20 = 0,00%"; one report makes it a result."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 0, 20, not_reported=20)
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    recompute.scores_recompute(year=YEAR)
    assert score_of(sheet, "C").auto_points == 0
    assert score_of(sheet, "C").auto_detail == "Chưa báo cáo (20 đơn vị chưa có số liệu)"

    f.result("ngay_hoi_kdc", world["d1"], YEAR, 0, 20, not_reported=19)
    recompute.scores_recompute(year=YEAR)
    assert score_of(sheet, "C").auto_detail == "0/20 = 0,00%"


def test_full_method_gives_all_or_nothing_by_the_targets_own_rule(world):
    """"More than 95%": 19/20 (exactly 95%) gives 0, 20/20 gives the full 30."""
    world["guide"].sections.get(order=1).criteria.filter(code="C").update(method="FULL")
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 19, 20)
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    assert score_of(sheet, "C").auto_points == D("0")
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 20, 20)
    recompute.scores_recompute(year=YEAR)
    assert score_of(sheet, "C").auto_points == D("30")


def test_automatic_points_follow_a_changed_target_result_on_recompute(world):
    """When the target result rises from 9/20 to 20/20 and scores are recomputed, the points and total follow."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 9, 20)
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    assert score_of(sheet, "C").auto_points == D("14.21")  # 30 × 45 ÷ 95
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 20, 20)
    recompute.scores_recompute(year=YEAR)
    sheet.refresh_from_db()
    assert score_of(sheet, "C").auto_points == D("30.00")
    assert sheet.total == D("30.00")


def test_recompute_is_idempotent_and_records_its_run(world):
    """Running twice gives the same sheets and scores, and the run is DONE."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 18, 20)
    recompute.scores_recompute(year=YEAR)
    first = list(ScoreSheet.objects.filter(guide=world["guide"]).values_list("unit_id", "total", "rank_in_province"))
    recompute.scores_recompute(year=YEAR)
    again = list(ScoreSheet.objects.filter(guide=world["guide"]).values_list("unit_id", "total", "rank_in_province"))
    assert first == again and len(first) == 2
    assert Score.objects.filter(sheet__guide=world["guide"]).count() == 2 * 7
    assert ComputationRun.objects.get(kind="emulation", year=YEAR).status == "DONE"


def test_districts_communes_share_leaves_out_the_districts_own_rating(world):
    """The district's row counts itself (3/3), but the communes' rows give 1/2: the criterion reads 50%."""
    target = Target.objects.get(code="mttq_vung_manh")
    section = world["guide"].sections.get(order=1)
    criterion = Criterion(
        section=section, order=9, code="V", text="Xã vững mạnh", max_points=D("10"), mode="AUTOMATIC",
        source="TARGET", target=target, method="PROPORTIONAL", result_scope="SUBTREE",
    )
    with pytest.raises(ValidationError) as refused:
        criterion.full_clean()
    assert "result_scope" in refused.value.message_dict
    criterion.result_scope = "SUBORDINATE"
    criterion.subordinate_kind = UnitKind.COMMUNE
    criterion.full_clean()
    criterion.save()
    communes = world["communes"][world["d1"].pk]
    f.result("mttq_vung_manh", world["d1"], YEAR, 3, 3)
    f.result("mttq_vung_manh", communes[0], YEAR, 1, 1)
    f.result("mttq_vung_manh", communes[1], YEAR, 0, 1)
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    assert score_of(sheet, "V").auto_detail == "1/2 = 50,00%"
    assert score_of(sheet, "V").auto_points == D("5.88")  # 10 × 50 ÷ 85

    # A commune moved to another district later (2026) still counts for its district of that year.
    import datetime

    from mattran.placements import placements_move

    other = next(unit for unit in world["districts"] if unit.pk != world["d1"].pk)
    placements_move(moves=[(communes[0], other)], on=datetime.date(YEAR + 7, 1, 1))
    communes[0].refresh_from_db()
    assert communes[0].district_id == other.pk  # today's tree
    recompute.scores_recompute(year=YEAR)
    assert score_of(sheet, "V").auto_detail == "1/2 = 50,00%"


def test_indicator_value_bands_give_points(world):
    """An indicator's yearly aggregate of 12 falls in the band from 10 → 3 points."""
    from django.utils import timezone

    from programs.models import Indicator
    from reports.models import IndicatorAggregate

    indicator = Indicator.objects.create(code="mo_hinh_thu", name="Mô hình", value_type="INTEGER")
    criterion = Criterion.objects.create(
        section=world["guide"].sections.get(order=1), order=9, code="I", text="Mô hình", max_points=D("5"),
        mode="AUTOMATIC", source="INDICATOR", indicator=indicator,
    )
    criterion.bands.create(from_value=D("1"), points=D("1"))
    criterion.bands.create(from_value=D("10"), points=D("3"))
    IndicatorAggregate.objects.create(
        indicator=indicator, unit=world["d1"], period=str(YEAR), year=YEAR, value=D("12"), computed_at=timezone.now()
    )
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    assert score_of(sheet, "I").auto_points == D("3")
    assert score_of(sheet, "I").auto_points is not None
    other = ScoreSheet.objects.get(guide=world["guide"], unit=world["districts"][1])
    assert score_of(other, "I").auto_points == D("0")


def test_bonus_and_penalty_caps_limit_the_total(world):
    """Bonuses 5 + 5 under a section cap of 6 and a guide cap of 4 add 4; penalties −5 −5 under caps 8/7 take 7."""
    g = world["guide"]
    g.bonus_cap, g.penalty_cap = D("4"), D("7")
    g.save()
    g.sections.filter(order=2).update(bonus_cap=D("6"), penalty_cap=D("8"))
    sheet = services.sheet_get_or_create(guide=g, unit=world["d1"])
    fill(sheet, world["d1_user"], A="40", B="30", T="5", T2="5", P="-5", P2="-5")
    sheet.refresh_from_db()
    assert sheet.total == D("67.00")  # 70 + 4 − 7


@pytest.mark.parametrize(("b_points", "band"), [("30", "Xuất sắc"), ("29.99", "Vững mạnh")])
def test_band_boundary_on_a_real_sheet(world, b_points, band):
    """A total of exactly 90.00 is Xuất sắc; 89.99 is Vững mạnh."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 19, 20)  # 95% of 95% → 30 proportional
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="30", B=b_points)
    sheet.refresh_from_db()
    assert sheet.total == D("60") + D(b_points)
    assert sheet.band.name == band


def test_ranks_share_ties_in_the_province_and_the_cluster():
    """Four districts at 80, 70, 70, 60 rank 1, 2, 2, 4 in the province; in cluster (70, 60) they rank 1, 2."""
    t = f.tree(districts=4, communes=0, areas=0)
    g = f.guide(YEAR)
    admin = f.officer(t["province"])
    cluster = Cluster.objects.create(guide=g, name="Cụm biên giới")
    cluster.members.set(t["districts"][2:])
    for district, (a, b) in zip(t["districts"], [("40", "30"), ("40", "20"), ("40", "30"), ("40", "10")], strict=True):
        user = f.officer(district)
        sheet = services.sheet_get_or_create(guide=g, unit=district)
        fill(sheet, user, A=a, B=b)
    Score.objects.filter(sheet__unit=t["districts"][2], criterion__code="B").update(self_points=D("20"))
    assert admin
    recompute.scores_recompute(year=YEAR)
    sheets = {s.unit_id: s for s in ScoreSheet.objects.filter(guide=g)}
    got = [(sheets[d.pk].total, sheets[d.pk].rank_in_province, sheets[d.pk].rank_in_cluster) for d in t["districts"]]
    assert got == [(D("70"), 1, None), (D("60"), 2, None), (D("60"), 2, 1), (D("50"), 4, 2)]


def test_guide_copy_brings_sections_criteria_bands_and_clusters(world):
    """A copy to 2032 has the same lines, bands and cluster members, and remembers its origin."""
    cluster = Cluster.objects.create(guide=world["guide"], name="Cụm 1")
    cluster.members.set(world["districts"])
    world["guide"].sections.get(order=1).criteria.get(code="C").bands.create(from_value=D("50"), points=D("3"))
    copy = services.guide_copy(guide=world["guide"], year=2032)
    assert copy.copied_from == world["guide"] and copy.year == 2032
    assert list(Criterion.objects.filter(section__guide=copy).values_list("code", "max_points", "mode")) == list(
        Criterion.objects.filter(section__guide=world["guide"]).values_list("code", "max_points", "mode")
    )
    assert copy.bands.count() == 5
    assert set(copy.clusters.get().members.all()) == set(world["districts"])
    assert Criterion.objects.get(section__guide=copy, code="C").bands.count() == 1
    with pytest.raises(ValidationError, match="đã có hướng dẫn"):
        services.guide_copy(guide=world["guide"], year=2032)


def test_target_results_change_queues_a_recompute_on_commit(world, django_capture_on_commit_callbacks):
    """The reports app's signal that target results changed queues the scores' task after commit,
    which computes the sheets."""
    from reports.signals import target_results_changed

    f.result("ngay_hoi_kdc", world["d1"], YEAR, 20, 20)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        target_results_changed.send(sender=None, year=YEAR)
    assert ScoreSheet.objects.filter(guide=world["guide"], unit=world["d1"], computed_at__isnull=False).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert score_of(ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"]), "C").auto_points == D("30")


def test_default_guides_are_loaded_for_2016_to_2020_and_the_loader_is_idempotent():
    """Ten example guides of 100 points; running the loader again creates nothing."""
    from emulation.loaders import load_default_guides

    guides = EmulationGuide.objects.filter(year__range=(2016, 2020), is_example=True)
    assert guides.count() == 10
    for g in guides:
        normal = Criterion.objects.filter(section__guide=g, kind="NORMAL")
        assert sum(c.max_points for c in normal) == D("100")
        assert g.bands.count() == 5
        assert normal.filter(mode="AUTOMATIC").count() == (3 if g.scored_kind == "DISTRICT" else 2)
        for c in Criterion.objects.filter(section__guide=g):
            c.full_clean()
    district = guides.get(year=2019, scored_kind="DISTRICT")
    assert Criterion.objects.get(section__guide=district, code="5.2").result_scope == "SUBORDINATE"
    assert load_default_guides() == 0
    assert EmulationGuide.objects.filter(year__range=(2016, 2020)).count() == 10


def test_subordinate_kind_must_lie_below_the_scored_level(world):
    """Summing districts' rows on a district sheet would read the unit's own level: refused."""
    criterion = Criterion(
        section=world["guide"].sections.get(order=1), order=9, code="X", text="X", max_points=D("5"),
        mode="AUTOMATIC", source="TARGET", target=Target.objects.get(code="mttq_vung_manh"), method="FULL",
        result_scope="SUBORDINATE", subordinate_kind=UnitKind.DISTRICT,
    )
    with pytest.raises(ValidationError) as refused:
        criterion.full_clean()
    assert "subordinate_kind" in refused.value.message_dict


def test_a_raised_maximum_reaches_existing_scores_on_recompute(world):
    """After the guide raises A's maximum to 50, recompute widens the stored range so 45 can be saved."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    Criterion.objects.filter(section__guide=world["guide"], code="A").update(max_points=D("50"))
    recompute.scores_recompute(year=YEAR)
    services.score_self(score=score_of(sheet, "A"), points="45", by=world["d1_user"])
    assert score_of(sheet, "A").self_points == D("45")


def test_score_changes_queue_a_recompute_so_ranks_follow(world, django_capture_on_commit_callbacks):
    """A self score commits, then the year's ranks are recomputed."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.score_self(score=score_of(sheet, "A"), points="10", by=world["d1_user"])
    sheet.refresh_from_db()
    assert (sheet.total, sheet.rank_in_province) == (D("10"), 1)
