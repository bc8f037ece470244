"""Idempotent loaders for the report forms of issue 3 and the indicators they hold.

Data migrations and tests call :func:`load_reporting`; it upserts by code, so running it twice,
or after a flush, gives the same rows.

Deadlines (``deadline_days`` counts days after the end of the period):

* ``bao_cao_thang`` — 5 days after the month ends (the 5th of the next month).
* ``ngay_hoi`` — 0: the festival is held 1–18 November, so its record is due by 31 December of
  the same year, not a month into the next one.
* ``xep_loai_bctmt``, ``xep_loai_mttq_xa``, ``xep_loai_mttq_huyen`` — 15: year-end ratings are
  decided at the year-end reviews in December and January, due by 15 January.
* ``ke_hoach`` — 0: a year's plan is set early in the year and must be in by 31 December at the
  latest (the model counts days after the period only).
"""
from typing import NamedTuple

from django.apps import apps as live_apps

from campaigns.loaders import link_indicators
from programs.loaders import load_indicators

# code: IndicatorSpec(name, unit label, value type, scale, aggregation, program number, min, max)
REPORT_INDICATORS = {
    # Chương trình 1: Ngày hội Đại đoàn kết toàn dân tộc (ngay_hoi_to_chuc is a core indicator)
    "ngay_hoi_ngay": ("Ngày tổ chức Ngày hội Đại đoàn kết toàn dân tộc", "", "DATE", None, "LAST", 1),
    "ngay_hoi_le_va_hoi": ("Ngày hội tổ chức đủ phần lễ và phần hội", "", "BOOLEAN", None, "LAST", 1),
    "ngay_hoi_bua_com": ("Ngày hội có bữa cơm đoàn kết ở khu dân cư", "", "BOOLEAN", None, "LAST", 1),
    # Chương trình 2: cuộc vận động "Ngày vì người nghèo", "Người Việt Nam ưu tiên dùng hàng Việt Nam"
    "quy_vnn_thu": ("Quỹ \"Vì người nghèo\" vận động được", "triệu đồng", "DECIMAL", None, "SUM", 2, 0),
    "quy_vnn_chi": ("Quỹ \"Vì người nghèo\" đã chi", "triệu đồng", "DECIMAL", None, "SUM", 2, 0),
    "nha_ddk_xay_moi": ("Nhà Đại đoàn kết xây mới", "căn", "INTEGER", None, "SUM", 2, 0),
    "nha_ddk_sua_chua": ("Nhà Đại đoàn kết sửa chữa", "căn", "INTEGER", None, "SUM", 2, 0),
    "ho_ngheo_duoc_giup": ("Hộ nghèo được giúp đỡ", "hộ", "INTEGER", None, "SUM", 2, 0),
    "ho_thoat_ngheo": ("Hộ thoát nghèo", "hộ", "INTEGER", None, "SUM", 2, 0),
    "phien_cho_hang_viet": ("Phiên chợ hàng Việt về nông thôn", "phiên", "INTEGER", None, "SUM", 2, 0),
    # Chương trình 3: giám sát, phản biện xã hội, tham gia xây dựng Đảng, chính quyền
    "giam_sat": ("Cuộc giám sát", "cuộc", "INTEGER", None, "SUM", 3, 0),
    "phan_bien": ("Hội nghị phản biện xã hội", "cuộc", "INTEGER", None, "SUM", 3, 0),
    "tiep_xuc_cu_tri": ("Cuộc tiếp xúc cử tri", "cuộc", "INTEGER", None, "SUM", 3, 0),
    "hoa_giai_vu": ("Vụ việc đưa ra hòa giải", "vụ", "INTEGER", None, "SUM", 3, 0),
    "hoa_giai_thanh": ("Vụ việc hòa giải thành", "vụ", "INTEGER", None, "SUM", 3, 0),
    "tuyen_truyen_buoi": ("Buổi tuyên truyền", "buổi", "INTEGER", None, "SUM", 3, 0),
    "tuyen_truyen_luot": ("Lượt người dự tuyên truyền", "lượt người", "INTEGER", None, "SUM", 3, 0),
    # Chương trình 4: đối ngoại nhân dân
    "doi_ngoai": ("Hoạt động đối ngoại nhân dân", "cuộc", "INTEGER", None, "SUM", 4, 0),
    # Chương trình 5: kiện toàn tổ chức, bồi dưỡng cán bộ
    "tap_huan_lop": ("Lớp tập huấn, bồi dưỡng", "lớp", "INTEGER", None, "SUM", 5, 0),
    "tap_huan_luot": ("Lượt cán bộ được tập huấn", "lượt", "INTEGER", None, "SUM", 5, 0),
}

CAMPAIGN_LINKS = {
    "ngay_hoi_dai_doan_ket": ["ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi", "ngay_hoi_bua_com"],
    "ngay_vi_nguoi_ngheo": [
        "quy_vnn_thu", "quy_vnn_chi", "nha_ddk_xay_moi", "nha_ddk_sua_chua", "ho_ngheo_duoc_giup", "ho_thoat_ngheo",
    ],
    "hang_viet": ["phien_cho_hang_viet"],
    "an_ninh_to_quoc": ["hoa_giai_vu", "hoa_giai_thanh"],
}

MONTHLY_INDICATORS = [
    "quy_vnn_thu", "quy_vnn_chi", "nha_ddk_xay_moi", "nha_ddk_sua_chua", "ho_ngheo_duoc_giup", "ho_thoat_ngheo",
    "phien_cho_hang_viet", "giam_sat", "phan_bien", "tiep_xuc_cu_tri", "hoa_giai_vu", "hoa_giai_thanh",
    "tuyen_truyen_buoi", "tuyen_truyen_luot", "tap_huan_lop", "tap_huan_luot", "doi_ngoai",
]

class FormSpec(NamedTuple):
    """A report form of the catalogue, by field name (its code is the key it is listed under)."""

    name: str
    kind: str
    period_type: str
    row_kind: str
    submitter_kind: str
    deadline_days: int
    order: int
    items: list[tuple[str, bool]]  # (indicator code, required), in column order


FORMS = {
    "ngay_hoi": FormSpec(
        name="Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư", kind="DATA", period_type="YEARLY", row_kind="AREA", submitter_kind="DISTRICT",
        deadline_days=0, order=1,
        items=[("ngay_hoi_to_chuc", True), ("ngay_hoi_ngay", False), ("ngay_hoi_le_va_hoi", False), ("ngay_hoi_bua_com", False)],
    ),
    "xep_loai_bctmt": FormSpec(
        name="Xếp loại Ban công tác Mặt trận khu dân cư", kind="DATA", period_type="YEARLY", row_kind="AREA", submitter_kind="DISTRICT",
        deadline_days=15, order=2,
        items=[("xep_loai_bctmt", True)],
    ),
    "xep_loai_mttq_xa": FormSpec(
        name="Xếp loại tổ chức Mặt trận cấp xã", kind="DATA", period_type="YEARLY", row_kind="COMMUNE", submitter_kind="DISTRICT",
        deadline_days=15, order=3,
        items=[("xep_loai_mttq", True)],
    ),
    "xep_loai_mttq_huyen": FormSpec(
        name="Xếp loại tổ chức Mặt trận cấp huyện", kind="DATA", period_type="YEARLY", row_kind="DISTRICT", submitter_kind="PROVINCE",
        deadline_days=15, order=4,
        items=[("xep_loai_mttq", True)],
    ),
    "bao_cao_thang": FormSpec(
        name="Báo cáo kết quả công tác Mặt trận hằng tháng", kind="DATA", period_type="MONTHLY", row_kind="COMMUNE", submitter_kind="DISTRICT",
        deadline_days=5, order=5,
        items=[(code, True) for code in MONTHLY_INDICATORS],
    ),
    "ke_hoach": FormSpec(
        name="Kế hoạch năm giao cho cấp huyện", kind="PLAN", period_type="YEARLY", row_kind="DISTRICT", submitter_kind="PROVINCE",
        deadline_days=0, order=6,
        items=[("quy_vnn_thu", True), ("nha_ddk_xay_moi", True), ("nha_ddk_sua_chua", True), ("ho_thoat_ngheo", True)],
    ),
}

# Forms whose drafts open before their period begins, in days: next year's plan is handed out from October.
EARLY_ENTRY_DAYS = {"ke_hoach": 92}

FORM_DESCRIPTIONS = {
    "ngay_hoi": "Ngày hội tổ chức từ 01/11 đến 18/11; hạn nộp 31/12 cùng năm. "
    "Chỉ bắt buộc ô \"đã tổ chức\"; ngày tổ chức và các ô còn lại nhập khi có tổ chức.",
    "xep_loai_bctmt": "Xếp loại cuối năm; hạn nộp 15/01 năm sau.",
    "xep_loai_mttq_xa": "Xếp loại do cấp huyện quyết định; hạn nộp 15/01 năm sau.",
    "xep_loai_mttq_huyen": "Xếp loại do cấp tỉnh quyết định; hạn nhập 15/01 năm sau.",
    "bao_cao_thang": "Hạn nộp ngày 05 tháng sau.",
    "ke_hoach": "Kế hoạch năm do tỉnh giao cho từng huyện; nhập chậm nhất 31/12 của năm kế hoạch.",
}


def load_forms(apps=live_apps):
    ReportForm = apps.get_model("reports", "ReportForm")
    FormIndicator = apps.get_model("reports", "FormIndicator")
    Indicator = apps.get_model("programs", "Indicator")
    # The data migration 0002 runs this on a model that predates early_entry_days (added by 0008).
    has_early_entry = any(f.name == "early_entry_days" for f in ReportForm._meta.get_fields())
    # The forms belong to the plan whose term holds their first year (0011 added the field).
    plan = None
    if any(f.name == "plan" for f in ReportForm._meta.get_fields()):
        plan = apps.get_model("programs", "ActionPlan").objects.filter(term_start__lte=2016, term_end__gte=2016).first()
    for code, spec in FORMS.items():
        defaults = {
            "name": spec.name, "kind": spec.kind, "period_type": spec.period_type, "row_kind": spec.row_kind,
            "submitter_kind": spec.submitter_kind, "deadline_days": spec.deadline_days, "order": spec.order,
            "first_year": 2016, "description": FORM_DESCRIPTIONS.get(code, ""),
        }
        if has_early_entry:
            defaults["early_entry_days"] = EARLY_ENTRY_DAYS.get(code, 0)
        if plan is not None:
            defaults["plan"] = plan
        form, _ = ReportForm.objects.update_or_create(code=code, defaults=defaults)
        codes = [indicator for indicator, _required in spec.items]
        for position, (indicator_code, required) in enumerate(spec.items, start=1):
            FormIndicator.objects.update_or_create(
                form=form, indicator=Indicator.objects.get(code=indicator_code),
                defaults={"order": position, "required": required},
            )
        FormIndicator.objects.filter(form=form).exclude(indicator__code__in=codes).delete()


def load_reporting(apps=live_apps):
    """Indicators of issue 3, their campaign links and the six report forms."""
    load_indicators(REPORT_INDICATORS, apps)
    link_indicators(CAMPAIGN_LINKS, apps)
    load_forms(apps)
