"""The default 2016–2020 emulation guides: an editable example, not an official text.

One guide per year for district committees (scored by the province) and one for commune
committees (scored by their district); 100 points in five sections, one per work program,
plus a section of bonus and penalty lines with caps, and the five default bands.

Choices made here, editable in admin:
- Program 1: the festival target is automatic on both levels, proportional, from the
  TargetResult of the scored unit (it counts only residential areas, never the unit itself).
- Program 5, district sheet: BCTMT rated Khá or better (areas only) from the district's row;
  communes rated Vững mạnh from the SUM of the communes' own rows (result scope SUBORDINATE,
  kind COMMUNE), because the district's row of ``mttq_vung_manh`` counts the district too.
- Program 5, commune sheet: the commune's areas' BCTMT automatic; the commune's own MTTQ rating
  is the decision of the level above, so it is not a criterion of its own sheet.

The loader creates a guide only when (year, level) has none, so running it again, or after an
administrator has edited a guide, changes nothing.
"""
from decimal import Decimal

from django.apps import apps as live_apps

from reports.constants import TREND_YEARS

YEARS = TREND_YEARS  # the plan's years (reports/constants.py)
PLAN_CODE = "ctht-2015-2020"

BANDS = [("Xuất sắc", "90", 1), ("Vững mạnh", "80", 2), ("Khá", "65", 3), ("Trung bình", "50", 4), ("Yếu", "0", 5)]

# Auto criterion: (code, text, max, "AUTO", target code, method, scope, subordinate kind)
# Manual criterion: (code, text, max, "MANUAL")
FESTIVAL = (
    "1.1", "Tỷ lệ khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc (chỉ tiêu trên 95%)", "10",
    "AUTO", "ngay_hoi_kdc", "PROPORTIONAL", "SUBTREE", "",
)
COMMON = {
    1: [
        FESTIVAL,
        ("1.2", "Tuyên truyền, vận động các tầng lớp nhân dân thực hiện chủ trương của Đảng, chính sách, "
                "pháp luật của Nhà nước; nắm tình hình nhân dân, phản ánh kiến nghị", "15", "MANUAL"),
    ],
    2: [
        ("2.1", "Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”", "10", "MANUAL"),
        ("2.2", "Quỹ “Vì người nghèo”, xây dựng nhà Đại đoàn kết, giúp đỡ hộ nghèo", "10", "MANUAL"),
        ("2.3", "Cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”", "5", "MANUAL"),
    ],
    3: [
        ("3.1", "Giám sát theo chương trình, kế hoạch", "10", "MANUAL"),
        ("3.2", "Phản biện xã hội, góp ý xây dựng Đảng, chính quyền", "5", "MANUAL"),
        ("3.3", "Tổ chức tiếp xúc cử tri, tiếp nhận và chuyển kiến nghị của nhân dân", "5", "MANUAL"),
    ],
    4: [
        ("4.1", "Công tác đối ngoại nhân dân, vận động đồng bào vùng biên giới", "10", "MANUAL"),
    ],
}
PROGRAM_5 = {
    "DISTRICT": [
        ("5.1", "Tỷ lệ Ban công tác Mặt trận khu dân cư xếp loại khá trở lên (chỉ tiêu trên 90%)", "7",
         "AUTO", "bctmt_kha_tro_len", "PROPORTIONAL", "SUBTREE", ""),
        ("5.2", "Tỷ lệ Ủy ban MTTQ cấp xã xếp loại vững mạnh (chỉ tiêu trên 85%; không tính xếp loại của "
                "chính cấp huyện)", "7",
         "AUTO", "mttq_vung_manh", "PROPORTIONAL", "SUBORDINATE", "COMMUNE"),
        ("5.3", "Củng cố tổ chức, bồi dưỡng cán bộ; chế độ thông tin, báo cáo", "6", "MANUAL"),
    ],
    "COMMUNE": [
        ("5.1", "Tỷ lệ Ban công tác Mặt trận khu dân cư xếp loại khá trở lên (chỉ tiêu trên 90%)", "10",
         "AUTO", "bctmt_kha_tro_len", "PROPORTIONAL", "SUBTREE", ""),
        ("5.2", "Củng cố tổ chức, hoạt động của Ban công tác Mặt trận; chế độ thông tin, báo cáo", "10", "MANUAL"),
    ],
}
SECTION_TITLES = {
    1: "Tập hợp, vận động nhân dân, tăng cường khối đại đoàn kết toàn dân tộc",
    2: "Phong trào thi đua yêu nước và các cuộc vận động",
    3: "Phát huy dân chủ, giám sát và phản biện xã hội",
    4: "Đối ngoại nhân dân",
    5: "Nâng cao năng lực hoạt động của Mặt trận",
}
ADJUSTMENTS = [
    ("T.1", "Có mô hình, cách làm hay được cấp trên biểu dương, nhân rộng", "5", "BONUS"),
    ("T.2", "Chậm hoặc thiếu báo cáo định kỳ (mỗi lần trừ 1 điểm)", "5", "PENALTY"),
]
KIND_TITLES = {"DISTRICT": "Ủy ban MTTQ cấp huyện", "COMMUNE": "Ủy ban MTTQ cấp xã"}
NOTE = "Bảng mẫu có thể chỉnh sửa, dựng theo Chương trình hành động 2015–2020; không phải văn bản chính thức."


def load_default_guides(apps=live_apps, years=YEARS):
    """Create the example guides of ``years`` that do not exist yet; returns how many were made."""
    Guide = apps.get_model("emulation", "EmulationGuide")
    Section = apps.get_model("emulation", "Section")
    Criterion = apps.get_model("emulation", "Criterion")
    Band = apps.get_model("emulation", "ClassificationBand")
    WorkProgram = apps.get_model("programs", "WorkProgram")
    Target = apps.get_model("programs", "Target")
    programs = {p.number: p for p in WorkProgram.objects.filter(plan__code=PLAN_CODE)}
    targets = {t.code: t for t in Target.objects.all()}
    made = 0
    for year in years:
        for kind, kind_title in KIND_TITLES.items():
            if Guide.objects.filter(year=year, scored_kind=kind).exists():
                continue
            guide = Guide.objects.create(
                year=year, scored_kind=kind, title=f"Hướng dẫn chấm điểm thi đua {kind_title} năm {year}",
                max_total=Decimal("100"), bonus_cap=Decimal("5"), penalty_cap=Decimal("10"),
                is_example=True, note=NOTE,
            )
            made += 1
            lines = {**COMMON, 5: PROGRAM_5[kind]}
            for number, title in SECTION_TITLES.items():
                section = Section.objects.create(guide=guide, order=number, title=title, program=programs.get(number))
                for order, line in enumerate(lines[number], start=1):
                    _criterion_create(Criterion, section, order, line, targets)
            extra = Section.objects.create(
                guide=guide, order=6, title="Điểm thưởng, điểm trừ", bonus_cap=Decimal("5"), penalty_cap=Decimal("10")
            )
            for order, (code, text, max_points, line_kind) in enumerate(ADJUSTMENTS, start=1):
                Criterion.objects.create(
                    section=extra, order=order, code=code, text=text, max_points=Decimal(max_points), kind=line_kind
                )
            Band.objects.bulk_create(
                Band(guide=guide, name=name, min_total=Decimal(minimum), order=order) for name, minimum, order in BANDS
            )
    return made


def _criterion_create(Criterion, section, order, line, targets):
    code, text, max_points, mode = line[:4]
    fields = {"section": section, "order": order, "code": code, "text": text, "max_points": Decimal(max_points)}
    target = targets.get(line[4]) if mode == "AUTO" else None
    if target is None:  # no catalogue target (e.g. a bare test database): keep the line, scored by hand
        Criterion.objects.create(**fields, mode="MANUAL")
        return
    _target_code, method, scope, subordinate = line[4:]
    Criterion.objects.create(
        **fields, mode="AUTOMATIC", source="TARGET", target=target, method=method,
        result_scope=scope, subordinate_kind=subordinate,
    )
