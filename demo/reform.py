"""The demo after the July 2025 reform: Lạng Sơn's 65 communes under the province, a 2025–2030
plan copied from the 2015–2020 one (a demo example: its text is not official), the forms the
districts submitted handed to the communes from 1/7/2025 (dated configuration, as an
administrator sets it in the admin), an officer for each new commune, and 2025–2026 figures.

Every figure of the years before the reform must be the same after it: ``figures_before`` is
taken before the import and compared after a full recompute (``history_check``).
"""
from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from demo.accounts import DEMO_PASSWORD
from emulation.models import Score, ScoreSheet
from mattran.models import Officer, OfficerRole, Unit, UnitKind, UnitPlacement
from mattran.reform import units_import_reform
from programs.models import ActionPlan, Indicator, RatingLevel, Target
from programs.services import plan_copy
from reports.models import IndicatorAggregate, ReportForm, Submission, TargetResult
from reports.periods import Period

REFORM_DAY = datetime.date(2025, 7, 1)
NEW_YEARS = (2025, 2026)
NEW_PLAN_CODE = "ctht-2025-2030-vi-du"
# Who submits each form of the new plan from the reform: the communes their own areas and
# monthly report; the province rates the communes' Front committees.
LATER_SUBMITTERS = {"ngay_hoi": UnitKind.COMMUNE, "xep_loai_bctmt": UnitKind.COMMUNE,
                    "bao_cao_thang": UnitKind.COMMUNE, "xep_loai_mttq_xa": UnitKind.PROVINCE}


def figures(years) -> tuple:
    """Every computed figure of ``years`` (target results, roll-ups) and every emulation score."""
    years = list(years)
    return (
        sorted(TargetResult.objects.filter(year__in=years).values_list(
            "target_id", "unit_id", "year", "numerator", "denominator", "percent", "achieved", "not_reported", "not_approved",
        )),
        sorted(IndicatorAggregate.objects.filter(year__in=years).values_list("indicator_id", "unit_id", "period", "value", "reporting_units")),
        sorted(ScoreSheet.objects.filter(guide__year__in=years).values_list("guide_id", "unit_id", "total", "band_id", "rank_in_province")),
        sorted(Score.objects.filter(sheet__guide__year__in=years).values_list("sheet__unit_id", "criterion_id", "auto_points")),
    )


def new_plan_ensure() -> ActionPlan | None:
    """The 2025–2030 plan, copied once from the plan of 2020, with the dated submitters set."""
    plan = ActionPlan.objects.filter(code=NEW_PLAN_CODE).first()
    if plan is None:
        source = ActionPlan.objects.filter(term_start__lte=2020, term_end__gte=2020).order_by("-term_start").first()
        if source is None:
            return None
        plan = plan_copy(
            source=source, code=NEW_PLAN_CODE, term_start=2025, term_end=2030,
            title=f"[Ví dụ minh hoạ, không phải văn bản chính thức] {source.title} — nhiệm kỳ 2025–2030"[:500],
        )
        # What an administrator does next ("hãy sửa nội dung bản sao"): targets named by the old
        # term ("Đến cuối nhiệm kỳ 2014-2019, …") take the new one.
        for target in Target.objects.filter(program__plan=plan, name__contains="2014-2019"):
            target.name = target.name.replace("2014-2019", "2025-2030")
            target.save(update_fields=["name"])
    for form in ReportForm.objects.filter(plan=plan):
        kind = next((k for code, k in LATER_SUBMITTERS.items() if form.code.startswith(f"{code}_")), None)
        if kind and (form.later_submitter_kind, form.later_submitter_from) != (kind, REFORM_DAY):
            form.later_submitter_kind, form.later_submitter_from = kind, REFORM_DAY
            form.save(update_fields=["later_submitter_kind", "later_submitter_from"])
    return plan


def reform_ensure(province_code: str) -> list[tuple[str, str, str]]:
    """The reform imported (idempotent) and an officer ``xa.<code>`` for each new commune."""
    units_import_reform(as_of=REFORM_DAY, province_code=province_code)
    User = get_user_model()
    communes = list(Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=REFORM_DAY, province__code=province_code).order_by("code"))
    existing = {u.username: u for u in User.objects.filter(username__in=[f"xa.{c.code}" for c in communes])}
    password_hash = make_password(DEMO_PASSWORD)
    User.objects.bulk_create([
        User(username=f"xa.{c.code}", password=password_hash, first_name=f"Cán bộ {c.name}"[:150], is_active=True)
        for c in communes if f"xa.{c.code}" not in existing
    ])
    users = {u.username: u for u in User.objects.filter(username__in=[f"xa.{c.code}" for c in communes])}
    have = set(Officer.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    Officer.objects.bulk_create([
        Officer(user=users[f"xa.{c.code}"], unit=c, role=OfficerRole.COMMUNE_OFFICER)
        for c in communes if users[f"xa.{c.code}"].pk not in have
    ])
    return [(f"xa.{c.code}", f"Cán bộ {c.name}", c.code) for c in communes]


def new_tree_values(builder, plan: ActionPlan, province: Unit, years, users) -> None:
    """2025–2026 on the new tree: each new commune's festival and its areas' Front committees'
    ratings, rows the areas placed under it on 31 December, sent by its own officer."""
    forms = {f.code.rsplit("_", 1)[0]: f for f in ReportForm.objects.filter(plan=plan)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["ngay_hoi_to_chuc", "ngay_hoi_ngay", "xep_loai_bctmt"])}
    levels = {lv.code: lv for lv in RatingLevel.objects.filter(scale__code="bctmt")}
    builder.existing |= set(
        Submission.objects.filter(year__in=years, form__plan=plan).values_list("form_id", "unit_id", "period")
    )
    last = max(years)
    for year in years:
        end, period = datetime.date(year, 12, 31), Period.year_of(year)
        placed = UnitPlacement.objects.on(end).filter(province=province)
        communes = list(Unit.objects.filter(pk__in=placed.filter(kind=UnitKind.COMMUNE).values("unit_id")).order_by("code"))
        areas_of: dict[int, list] = {}
        area_units = Unit.objects.in_bulk(list(placed.filter(kind=UnitKind.AREA).values_list("unit_id", flat=True)))
        for unit_id, commune_id in placed.filter(kind=UnitKind.AREA).values_list("unit_id", "commune_id"):
            areas_of.setdefault(commune_id, []).append(area_units[unit_id])
        for commune in communes:
            officer = users.get(f"xa.{commune.code}") or users["tinh"]
            areas = sorted(areas_of.get(commune.pk, []), key=lambda u: u.code)
            rng = random.Random(f"{year}-ngay_hoi-{commune.code}")
            sub = builder.submission(forms["ngay_hoi"], commune, period, rng, last_year=year == last, submitter=officer)
            if sub is not None:
                for area in areas:
                    held = rng.random() < 0.95
                    builder.value(sub, indicators["ngay_hoi_to_chuc"], area, period, value_bool=held)
                    if held:
                        builder.value(sub, indicators["ngay_hoi_ngay"], area, period, value_date=datetime.date(year, 11, rng.randint(1, 18)))
            rng = random.Random(f"{year}-xep_loai_bctmt-{commune.code}")
            sub = builder.submission(forms["xep_loai_bctmt"], commune, period, rng, last_year=year == last, submitter=officer)
            if sub is not None:
                for area in areas:
                    code = rng.choice(["tot", "kha", "kha", "trung_binh"]) if rng.random() < 0.93 else "yeu"
                    builder.value(sub, indicators["xep_loai_bctmt"], area, period, rating_level=levels[code])
