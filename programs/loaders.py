"""Idempotent loaders for the 2015–2020 action program; data migrations and tests call them.

Each loader takes an app registry (the migration's historical ``apps`` or the live one) and
upserts by code, so running it twice, or after a flush, gives the same rows.
"""
import json
from decimal import Decimal
from pathlib import Path

from django.apps import apps as live_apps

DATA = Path(__file__).parent / "data" / "action_plan_2015_2020.json"

RATING_SCALES = {
    "bctmt": (
        "Xếp loại Ban công tác Mặt trận",
        [("tot", "Tốt", 4), ("kha", "Khá", 3), ("trung_binh", "Trung bình", 2), ("yeu", "Yếu", 1)],
    ),
    "mttq": (
        "Xếp loại tổ chức Mặt trận cấp huyện, cấp xã",
        [("vung_manh", "Vững mạnh", 4), ("kha", "Khá", 3), ("trung_binh", "Trung bình", 2), ("yeu", "Yếu", 1)],
    ),
}

# code: (name, unit label, value type, scale, aggregation, program number)
CORE_INDICATORS = {
    "ngay_hoi_to_chuc": ("Khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc", "khu dân cư", "BOOLEAN", None, "LAST", 1),
    "xep_loai_bctmt": ("Xếp loại Ban công tác Mặt trận khu dân cư", "", "RATING", "bctmt", "LAST", 5),
    "xep_loai_mttq": ("Xếp loại tổ chức Mặt trận cấp huyện, cấp xã", "", "RATING", "mttq", "LAST", 5),
}

# code: (name, indicator, counted kinds, condition, (scale, level), operator, percent, first, last, due, program)
TARGETS = {
    "ngay_hoi_kdc": (
        "Trên 95% khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc hằng năm",
        "ngay_hoi_to_chuc", ["AREA"], "IS_TRUE", None, "GT", "95", 2016, 2020, None, 1,
    ),
    "bctmt_kha_tro_len": (
        "Đến cuối nhiệm kỳ 2014-2019, trên 90% Ban công tác Mặt trận hoạt động khá trở lên",
        "xep_loai_bctmt", ["AREA"], "RATING_AT_LEAST", ("bctmt", "kha"), "GT", "90", 2016, 2020, 2019, 5,
    ),
    "mttq_vung_manh": (
        "Đến cuối nhiệm kỳ 2014-2019, trên 85% tổ chức Mặt trận cấp huyện, cấp xã đạt vững mạnh",
        "xep_loai_mttq", ["DISTRICT", "COMMUNE"], "RATING_AT_LEAST", ("mttq", "vung_manh"), "GT", "85", 2016, 2020, 2019, 5,
    ),
}


def load_action_plan(apps=live_apps):
    ActionPlan = apps.get_model("programs", "ActionPlan")
    WorkProgram = apps.get_model("programs", "WorkProgram")
    Task = apps.get_model("programs", "Task")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    defaults = {
        "title": data["title"], "issuer": data["issuer"], "summary": data["summary"],
        "term_start": data["term_start"], "term_end": data["term_end"],
        "preamble": "\n".join(data.get("preamble", [])), "purpose": "\n".join(data.get("purpose", [])),
        "requirements": "\n".join(data.get("requirements", [])),
        "implementation": "\n".join(data.get("implementation", [])),
    }
    # An earlier migration's model has no text sections yet: set only the fields it has.
    fields = {f.name for f in ActionPlan._meta.get_fields()}
    plan, _ = ActionPlan.objects.update_or_create(
        code=data["code"], defaults={k: v for k, v in defaults.items() if k in fields},
    )
    for item in data["programs"]:
        program, _ = WorkProgram.objects.update_or_create(
            plan=plan, number=item["number"],
            defaults={"title": item["title"], "short_title": item["short_title"]},
        )
        for order, text in enumerate(item["tasks"], start=1):
            Task.objects.update_or_create(program=program, order=order, defaults={"text": text})
        Task.objects.filter(program=program, order__gt=len(item["tasks"])).delete()
    return plan


def load_rating_scales(apps=live_apps):
    RatingScale = apps.get_model("programs", "RatingScale")
    RatingLevel = apps.get_model("programs", "RatingLevel")
    for code, (name, levels) in RATING_SCALES.items():
        scale, _ = RatingScale.objects.update_or_create(code=code, defaults={"name": name})
        for level_code, level_name, rank in levels:
            RatingLevel.objects.update_or_create(
                scale=scale, code=level_code, defaults={"name": level_name, "rank": rank}
            )


def program_by_number(apps, number):
    WorkProgram = apps.get_model("programs", "WorkProgram")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return WorkProgram.objects.get(plan__code=data["code"], number=number)


def load_indicators(indicators, apps=live_apps):
    """Upsert indicators given as ``code: (name, unit, type, scale, aggregation, program, [min, max])``."""
    Indicator = apps.get_model("programs", "Indicator")
    RatingScale = apps.get_model("programs", "RatingScale")
    for code, spec in indicators.items():
        name, unit_label, value_type, scale_code, aggregation, program_number, *bounds = spec
        min_value, max_value = (bounds + [None, None])[:2] if bounds else (None, None)
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "unit_label": unit_label, "value_type": value_type,
                "rating_scale": RatingScale.objects.get(code=scale_code) if scale_code else None,
                "aggregation": aggregation,
                "program": program_by_number(apps, program_number) if program_number else None,
                "min_value": None if min_value is None else Decimal(str(min_value)),
                "max_value": None if max_value is None else Decimal(str(max_value)),
            },
        )


def load_targets(apps=live_apps):
    Target = apps.get_model("programs", "Target")
    Indicator = apps.get_model("programs", "Indicator")
    RatingLevel = apps.get_model("programs", "RatingLevel")
    for code, spec in TARGETS.items():
        name, indicator, kinds, condition, level, operator, percent, first, last, due, program = spec
        Target.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "indicator": Indicator.objects.get(code=indicator), "counted_kinds": kinds,
                "condition": condition,
                "rating_level": RatingLevel.objects.get(scale__code=level[0], code=level[1]) if level else None,
                "operator": operator, "threshold_percent": Decimal(percent),
                "first_year": first, "last_year": last, "due_year": due,
                "program": program_by_number(apps, program),
            },
        )


def load_catalogue(apps=live_apps):
    """The whole programs catalogue: plan, programs, tasks, scales, core indicators, targets."""
    load_action_plan(apps)
    load_rating_scales(apps)
    load_indicators(CORE_INDICATORS, apps)
    load_targets(apps)
