"""Idempotent loader for the campaigns and movements the seed names, each tied to its program."""
from django.apps import apps as live_apps

from programs.loaders import program_by_number

# code: (name, kind, program number, parent code, order)
CAMPAIGNS = {
    "nong_thon_moi": ("Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh", "CAMPAIGN", 2, None, 1),
    "ngay_vi_nguoi_ngheo": ("Ngày vì người nghèo", "CAMPAIGN", 2, None, 2),
    "thang_cao_diem": ("Tháng cao điểm vì người nghèo", "CAMPAIGN", 2, "ngay_vi_nguoi_ngheo", 3),
    "hang_viet": ("Người Việt Nam ưu tiên dùng hàng Việt Nam", "CAMPAIGN", 2, None, 4),
    "an_ninh_to_quoc": ("Toàn dân tham gia bảo vệ an ninh Tổ quốc trong thời kỳ mới", "MOVEMENT", 2, None, 5),
    "bao_ve_moi_truong": ("Toàn dân tham gia bảo vệ môi trường", "MOVEMENT", 2, None, 6),
    "hoc_tap_ho_chi_minh": (
        "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh (Chỉ thị số 05-CT/TW)",
        "STUDY", 1, None, 7,
    ),
    # The seed puts the festival in Chương trình 1 ("Nâng cao chất lượng … Ngày hội Đại đoàn kết toàn dân tộc").
    "ngay_hoi_dai_doan_ket": ("Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư (18/11 hằng năm)", "MOVEMENT", 1, None, 8),
}


def load_campaigns(apps=live_apps):
    Campaign = apps.get_model("campaigns", "Campaign")
    for code, (name, kind, program, parent, order) in CAMPAIGNS.items():
        Campaign.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "kind": kind, "order": order,
                "program": program_by_number(apps, program),
                "parent": Campaign.objects.get(code=parent) if parent else None,
            },
        )


def link_indicators(links, apps=live_apps):
    """Attach indicators to campaigns: ``{campaign_code: [indicator_code, …]}``."""
    Campaign = apps.get_model("campaigns", "Campaign")
    Indicator = apps.get_model("programs", "Indicator")
    for campaign_code, indicator_codes in links.items():
        Campaign.objects.get(code=campaign_code).indicators.add(*Indicator.objects.filter(code__in=indicator_codes))
