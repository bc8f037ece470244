"""Idempotent loaders for the 2015–2020 action program; data migrations and tests call them.

Each loader takes an app registry (the migration's historical ``apps`` or the live one) and
upserts by code, so running it twice, or after a flush, gives the same rows.
"""
import json
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

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

class IndicatorSpec(NamedTuple):
    """An indicator of the catalogue (its code is the key it is listed under)."""

    name: str
    unit_label: str
    value_type: str
    scale: str | None  # the rating scale's code, for ratings
    aggregation: str
    program: int | None  # the work program's number
    min_value: int | str | None = None
    max_value: int | str | None = None


CORE_INDICATORS = {
    "ngay_hoi_to_chuc": IndicatorSpec(
        "Khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc", "khu dân cư", "BOOLEAN", None, "LAST", 1,
    ),
    "xep_loai_bctmt": IndicatorSpec("Xếp loại Ban công tác Mặt trận khu dân cư", "", "RATING", "bctmt", "LAST", 5),
    "xep_loai_mttq": IndicatorSpec("Xếp loại tổ chức Mặt trận cấp huyện, cấp xã", "", "RATING", "mttq", "LAST", 5),
}


class TargetSpec(NamedTuple):
    """A target of the catalogue, by field name (its code is the key it is listed under)."""

    name: str
    indicator: str
    counted_kinds: list[str]
    condition: str
    rating_level: tuple[str, str] | None  # (scale code, level code)
    operator: str
    threshold_percent: str
    first_year: int
    last_year: int
    due_year: int | None
    program: int


TARGETS = {
    "ngay_hoi_kdc": TargetSpec(
        name="Trên 95% khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc hằng năm",
        indicator="ngay_hoi_to_chuc", counted_kinds=["AREA"], condition="IS_TRUE", rating_level=None,
        operator="GT", threshold_percent="95", first_year=2016, last_year=2020, due_year=None, program=1,
    ),
    "bctmt_kha_tro_len": TargetSpec(
        name="Đến cuối nhiệm kỳ 2014-2019, trên 90% Ban công tác Mặt trận hoạt động khá trở lên",
        indicator="xep_loai_bctmt", counted_kinds=["AREA"], condition="RATING_AT_LEAST", rating_level=("bctmt", "kha"),
        operator="GT", threshold_percent="90", first_year=2016, last_year=2020, due_year=2019, program=5,
    ),
    "mttq_vung_manh": TargetSpec(
        name="Đến cuối nhiệm kỳ 2014-2019, trên 85% tổ chức Mặt trận cấp huyện, cấp xã đạt vững mạnh",
        indicator="xep_loai_mttq", counted_kinds=["DISTRICT", "COMMUNE"], condition="RATING_AT_LEAST",
        rating_level=("mttq", "vung_manh"), operator="GT", threshold_percent="85",
        first_year=2016, last_year=2020, due_year=2019, program=5,
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
    """Upsert indicators given as ``code: IndicatorSpec``."""
    Indicator = apps.get_model("programs", "Indicator")
    RatingScale = apps.get_model("programs", "RatingScale")
    for code, spec in indicators.items():
        spec = IndicatorSpec(*spec)
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": spec.name, "unit_label": spec.unit_label, "value_type": spec.value_type,
                "rating_scale": RatingScale.objects.get(code=spec.scale) if spec.scale else None,
                "aggregation": spec.aggregation,
                "program": program_by_number(apps, spec.program) if spec.program else None,
                "min_value": None if spec.min_value is None else Decimal(str(spec.min_value)),
                "max_value": None if spec.max_value is None else Decimal(str(spec.max_value)),
            },
        )


def load_targets(apps=live_apps):
    Target = apps.get_model("programs", "Target")
    Indicator = apps.get_model("programs", "Indicator")
    RatingLevel = apps.get_model("programs", "RatingLevel")
    for code, spec in TARGETS.items():
        level = spec.rating_level
        Target.objects.update_or_create(
            code=code,
            defaults={
                "name": spec.name, "indicator": Indicator.objects.get(code=spec.indicator),
                "counted_kinds": spec.counted_kinds, "condition": spec.condition,
                "rating_level": RatingLevel.objects.get(scale__code=level[0], code=level[1]) if level else None,
                "operator": spec.operator, "threshold_percent": Decimal(spec.threshold_percent),
                "first_year": spec.first_year, "last_year": spec.last_year, "due_year": spec.due_year,
                "program": program_by_number(apps, spec.program),
            },
        )


def load_catalogue(apps=live_apps):
    """The whole programs catalogue: plan, programs, tasks, scales, core indicators, targets."""
    load_action_plan(apps)
    load_rating_scales(apps)
    load_indicators(CORE_INDICATORS, apps)
    load_targets(apps)
