"""Idempotent loaders of the registers: member organisations and the indicators their counts feed."""
from django.apps import apps as live_apps

from programs.loaders import load_indicators

# code: (name, order)
MEMBER_ORGANISATIONS = {
    "hoi_nong_dan": ("Hội Nông dân", 10),
    "hoi_lien_hiep_phu_nu": ("Hội Liên hiệp Phụ nữ", 20),
    "doan_thanh_nien": ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", 30),
    "hoi_cuu_chien_binh": ("Hội Cựu chiến binh", 40),
    "lien_doan_lao_dong": ("Liên đoàn Lao động", 50),
}

# code: (name, unit label, value type, scale, aggregation, program number, min)
REGISTER_INDICATORS = {
    "so_ho_nhan_do_dau": ("Số hộ nghèo được các tổ chức thành viên nhận đỡ đầu trong năm", "hộ", "INTEGER", None, "SUM", 2, 0),
    "kien_nghi_cu_tri": ("Số ý kiến, kiến nghị của cử tri tiếp nhận trong năm", "ý kiến", "INTEGER", None, "SUM", 3, 0),
    "cuoc_giam_sat_ke_hoach": ("Số cuộc giám sát, phản biện xã hội theo kế hoạch năm", "cuộc", "INTEGER", None, "SUM", 3, 0),
    "mo_hinh_tu_quan": ("Số mô hình tự quản ở khu dân cư bắt đầu trong năm", "mô hình", "INTEGER", None, "SUM", 2, 0),
    "chuong_trinh_phoi_hop": ("Số chương trình phối hợp ký kết với sở, ngành trong năm", "chương trình", "INTEGER", None, "SUM", 2, 0),
    "cuoc_kiem_tra": ("Số cuộc kiểm tra theo kế hoạch của Ban Thường trực", "cuộc", "INTEGER", None, "SUM", None, 0),
    "lop_tap_huan_so": ("Số lớp tập huấn, bồi dưỡng tổ chức trong năm", "lớp", "INTEGER", None, "SUM", 5, 0),
    "hoat_dong_doi_ngoai": ("Số hoạt động đối ngoại nhân dân trong năm", "hoạt động", "INTEGER", None, "SUM", 4, 0),
}


def load_member_organisations(apps=live_apps):
    MemberOrganisation = apps.get_model("registers", "MemberOrganisation")
    for code, (name, order) in MEMBER_ORGANISATIONS.items():
        MemberOrganisation.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def load_register_indicators(apps=live_apps):
    load_indicators(REGISTER_INDICATORS, apps)


def load_registers(apps=live_apps):
    load_member_organisations(apps)
    load_register_indicators(apps)
