"""The report forms and indicators of issue 3, loaded by data migration and idempotent."""
import pytest

from campaigns.models import Campaign
from programs.models import Indicator
from reports.loaders import FORMS, MONTHLY_INDICATORS, load_reporting
from reports.models import FormIndicator, ReportForm

pytestmark = pytest.mark.django_db


def catalogue():
    return (
        sorted(ReportForm.objects.values_list("code", "kind", "period_type", "row_kind", "submitter_kind", "deadline_days")),
        sorted(FormIndicator.objects.values_list("form__code", "indicator__code", "order", "required")),
        sorted(Indicator.objects.values_list("code", "value_type", "aggregation", "min_value", "program__number")),
    )


def test_migrate_loads_the_six_forms_with_their_codes_and_shapes():
    forms = {f.code: f for f in ReportForm.objects.all()}
    assert set(FORMS) <= set(forms)
    assert (forms["bao_cao_thang"].period_type, forms["bao_cao_thang"].row_kind, forms["bao_cao_thang"].submitter_kind) == (
        "MONTHLY", "COMMUNE", "DISTRICT",
    )
    assert (forms["xep_loai_mttq_huyen"].row_kind, forms["xep_loai_mttq_huyen"].submitter_kind) == ("DISTRICT", "PROVINCE")
    assert (forms["ke_hoach"].kind, forms["ke_hoach"].row_kind, forms["ke_hoach"].submitter_kind) == ("PLAN", "DISTRICT", "PROVINCE")
    assert {"quy_vnn_thu", "nha_ddk_xay_moi", "ho_thoat_ngheo"} <= set(forms["ke_hoach"].indicators.values_list("code", flat=True))
    assert list(forms["bao_cao_thang"].form_indicators.values_list("indicator__code", flat=True)) == MONTHLY_INDICATORS
    assert forms["ngay_hoi"].deadline_days < 30  # a November festival is due within its year


def test_only_the_held_flag_is_required_on_the_festival_form():
    required = dict(FormIndicator.objects.filter(form__code="ngay_hoi").values_list("indicator__code", "required"))
    assert required == {
        "ngay_hoi_to_chuc": True, "ngay_hoi_ngay": False, "ngay_hoi_le_va_hoi": False, "ngay_hoi_bua_com": False,
    }


@pytest.mark.parametrize(
    ("code", "unit_label", "value_type", "program"),
    [
        ("quy_vnn_thu", "triệu đồng", "DECIMAL", 2),
        ("nha_ddk_xay_moi", "căn", "INTEGER", 2),
        ("phien_cho_hang_viet", "phiên", "INTEGER", 2),
        ("hoa_giai_thanh", "vụ", "INTEGER", 3),
        ("tuyen_truyen_luot", "lượt người", "INTEGER", 3),
        ("doi_ngoai", "cuộc", "INTEGER", 4),
        ("tap_huan_lop", "lớp", "INTEGER", 5),
    ],
)
def test_monthly_indicators_have_their_unit_type_program_and_no_negative_values(code, unit_label, value_type, program):
    indicator = Indicator.objects.get(code=code)
    assert (indicator.unit_label, indicator.value_type, indicator.aggregation) == (unit_label, value_type, "SUM")
    assert indicator.program.number == program and indicator.min_value == 0


def test_new_festival_indicators_have_their_types():
    types = dict(Indicator.objects.filter(code__startswith="ngay_hoi_").values_list("code", "value_type"))
    assert types == {
        "ngay_hoi_to_chuc": "BOOLEAN", "ngay_hoi_ngay": "DATE", "ngay_hoi_le_va_hoi": "BOOLEAN", "ngay_hoi_bua_com": "BOOLEAN",
    }


def test_campaign_figures_are_linked_to_their_campaigns():
    poor = set(Campaign.objects.get(code="ngay_vi_nguoi_ngheo").indicators.values_list("code", flat=True))
    assert {"quy_vnn_thu", "quy_vnn_chi", "nha_ddk_xay_moi", "nha_ddk_sua_chua", "ho_ngheo_duoc_giup", "ho_thoat_ngheo"} <= poor
    assert Campaign.objects.get(code="hang_viet").indicators.filter(code="phien_cho_hang_viet").exists()


def test_loading_again_changes_nothing():
    before = catalogue()
    load_reporting()
    assert catalogue() == before
