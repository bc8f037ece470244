"""The action program is in the database after a fresh migrate, and its loaders are idempotent."""
import pytest

from campaigns.loaders import load_campaigns
from campaigns.models import Campaign
from programs.loaders import load_catalogue
from programs.models import Indicator, Operator, Target, Task, WorkProgram

pytestmark = pytest.mark.django_db


def test_fresh_migrate_holds_five_programs_with_their_tasks():
    assert list(WorkProgram.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    counts = {p.number: p.tasks.count() for p in WorkProgram.objects.all()}
    assert counts == {1: 5, 2: 7, 3: 4, 4: 2, 5: 6}
    assert Task.objects.filter(text__contains="trên 95% khu dân cư").exists()


def test_three_targets_carry_strict_operators_and_due_years():
    targets = {t.code: t for t in Target.objects.select_related("indicator", "rating_level")}
    assert set(targets) == {"ngay_hoi_kdc", "bctmt_kha_tro_len", "mttq_vung_manh"}
    assert all(t.operator == Operator.GT for t in targets.values())
    assert [str(targets[c].threshold_percent) for c in ("ngay_hoi_kdc", "bctmt_kha_tro_len", "mttq_vung_manh")] == [
        "95.00", "90.00", "85.00",
    ]
    assert targets["ngay_hoi_kdc"].due_year is None
    assert targets["bctmt_kha_tro_len"].due_year == 2019
    assert targets["mttq_vung_manh"].due_year == 2019
    assert targets["bctmt_kha_tro_len"].rating_level.name == "Khá"
    assert targets["mttq_vung_manh"].rating_level.name == "Vững mạnh"
    assert sorted(targets["mttq_vung_manh"].counted_kinds) == ["COMMUNE", "DISTRICT"]


def test_core_indicators_and_campaigns_are_loaded():
    assert {"ngay_hoi_to_chuc", "xep_loai_bctmt", "xep_loai_mttq"} <= set(Indicator.objects.values_list("code", flat=True))
    names = set(Campaign.objects.values_list("name", flat=True))
    assert "Ngày vì người nghèo" in names
    assert Campaign.objects.get(code="thang_cao_diem").parent.code == "ngay_vi_nguoi_ngheo"
    assert Campaign.objects.count() == 8  # the seven the seed names, and the festival of Chương trình 1


def test_loaders_run_twice_change_nothing():
    before = (WorkProgram.objects.count(), Task.objects.count(), Target.objects.count(), Campaign.objects.count())
    load_catalogue()
    load_campaigns()
    after = (WorkProgram.objects.count(), Task.objects.count(), Target.objects.count(), Campaign.objects.count())
    assert before == after


@pytest.mark.parametrize(
    ("numerator", "denominator", "met"),
    [(95, 100, False), (96, 100, True), (1901, 2000, True), (1900, 2000, False), (0, 0, False)],
)
def test_more_than_95_percent_is_decided_with_exact_fractions(numerator, denominator, met):
    assert Target.objects.get(code="ngay_hoi_kdc").meets(numerator, denominator) is met
