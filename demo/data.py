"""Deterministic demo data for Lạng Sơn: values and submissions (accounts and areas: ``demo.accounts``).

Every random choice comes from a ``random.Random`` seeded by a stable string (the year, form and
unit), so the same command gives the same data whatever ran before, and ``--years 2016-2018``
gives the same values for those years as a full run. Running it twice changes nothing: accounts
and areas are upserted, and a submission that already exists (form, unit, period) is skipped
together with its values.
"""
from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo import reform
from demo.accounts import PROVINCE_CODE, demo_accounts_ensure, demo_areas_ensure
from demo.bulk import fast_insert
from demo.reform import NEW_YEARS, REFORM_DAY
from mattran.models import Unit, UnitKind, UnitPlacement
from programs.models import Indicator, RatingLevel
from reports.cache import bump_data_version
from reports.constants import TREND_YEARS
from reports.models import DataValue, PlanValue, ReportForm, Submission, SubmissionStatus
from reports.periods import Period
from reports.targets import runs

# The 2015–2020 plan's years on the old tree, then 2025–2026 on the tree of the July 2025 reform.
DEFAULT_YEARS = (*TREND_YEARS, *NEW_YEARS)

# Years in which the whole province misses a target (if the chosen years include none, the
# first chosen year is used), and the share of districts that miss it in other years.
WEAK_YEARS = {"ngay_hoi": {2017}, "bctmt": {2016, 2017}, "mttq": {2016}}

RETURN_REASONS = [
    "Số liệu quỹ \"Vì người nghèo\" chưa khớp với báo cáo tài chính, đề nghị kiểm tra lại.",
    "Còn thiếu số liệu của một số xã, đề nghị bổ sung.",
    "Số vụ hòa giải thành lớn hơn số vụ đưa ra hòa giải, đề nghị sửa lại.",
    "Ngày tổ chức Ngày hội của một số khu dân cư chưa đúng, đề nghị rà soát.",
]


@dataclass
class DemoSummary:
    accounts: list = field(default_factory=list)
    areas_created: int = 0
    submissions_created: int = 0
    values_created: int = 0
    plans_created: int = 0
    recomputed: bool = False
    history_kept: bool | None = None  # the years before the reform unchanged by it (None: not checked)
    seconds_data: float = 0.0
    seconds_recompute: float = 0.0


def parse_years(text: str | None) -> list[int]:
    """``2016-2018`` → [2016, 2017, 2018]; ``2019`` → [2019]; ``2016,2019`` → [2016, 2019]."""
    if not text:
        return list(DEFAULT_YEARS)
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (int(x) for x in part.split("-", 1))
            if last < first:
                raise ValueError(f"{part}: năm cuối trước năm đầu")
            years.update(range(first, last + 1))
        elif part:
            years.add(int(part))
    if not years or min(years) < 2000 or max(years) > 2100:
        raise ValueError(f"{text}: năm không hợp lệ")
    return sorted(years)


# --------------------------------------------------------------------------------------
# Values and submissions
# --------------------------------------------------------------------------------------


class _Builder:
    """Collects submissions and their values in memory; :meth:`save` writes them in bulk."""

    def __init__(self, users):
        self.users = users
        self.existing = set()
        self.subs: list[Submission] = []
        self.values: list[dict] = []
        self.plans: list[dict] = []

    def submission(self, form, unit, period: Period, rng, *, last_year: bool, submitter):
        """A submission in a plausible state, or None when it is missing (not started)."""
        if (form.pk, unit.pk, str(period)) in self.existing:
            return None
        roll = rng.random()
        if last_year:
            states = [(0.55, "APPROVED"), (0.72, "SUBMITTED"), (0.80, "RETURNED"), (0.90, "DRAFT")]
        else:
            states = [(0.86, "APPROVED"), (0.91, "SUBMITTED"), (0.94, "RETURNED"), (0.97, "DRAFT")]
        status = next((s for limit, s in states if roll < limit), None)
        if status is None:
            return None
        deadline = period.end + datetime.timedelta(days=form.deadline_days)
        sent = _aware(deadline + datetime.timedelta(days=rng.randint(-10, 6)), rng)
        reviewer = self.users["tinh"]
        sub = Submission(
            form=form, unit=unit, period=str(period), year=period.year, status=status,
            version=1, updated_by=submitter,
        )
        if status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.RETURNED):
            sub.submitted_at, sub.submitted_by = sent, submitter
        if status == SubmissionStatus.RETURNED:
            sub.returned_at, sub.returned_by = sent + datetime.timedelta(days=rng.randint(1, 5)), reviewer
            sub.return_reason = rng.choice(RETURN_REASONS)
            sub.version = 3
        if status == SubmissionStatus.APPROVED:
            sub.approved_at, sub.approved_by = sent + datetime.timedelta(days=rng.randint(1, 7)), reviewer
            sub.version = 3
        self.subs.append(sub)
        return sub

    def value(self, sub, indicator, unit, period: Period, *, value_number=None, value_bool=None,
              value_date=None, rating_level=None):
        self.values.append({
            "indicator_id": indicator.pk, "unit_id": unit.pk, "period": str(period), "year": period.year,
            "submission_id": len(self.subs) - 1, "value_number": value_number, "value_bool": value_bool,
            "value_date": value_date, "rating_level_id": rating_level.pk if rating_level else None,
            "updated_by_id": sub.updated_by_id,
        })

    def plan(self, sub, indicator, unit, year, value):
        self.plans.append({
            "indicator_id": indicator.pk, "unit_id": unit.pk, "year": year, "value": value,
            "submission_id": len(self.subs) - 1, "updated_by_id": sub.updated_by_id,
        })

    def save(self):
        Submission.objects.bulk_create(self.subs, batch_size=1000)
        if any(sub.pk is None for sub in self.subs):  # a backend that does not return ids
            ids = {
                (s.form_id, s.unit_id, s.period): s.pk
                for s in Submission.objects.filter(year__in={sub.year for sub in self.subs})
            }
            for sub in self.subs:
                sub.pk = ids[(sub.form_id, sub.unit_id, sub.period)]
        for rows in (self.values, self.plans):
            for row in rows:
                row["submission_id"] = self.subs[row["submission_id"]].pk
        fast_insert(DataValue, self.values)
        fast_insert(PlanValue, self.plans)


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _share(kind: str, year: int, weak_years: set[int], district_index: int, rng: random.Random) -> float:
    """The share of a district's units that meet a target this year."""
    lagging = (district_index + year) % 5 == 0  # two or three districts miss each year
    if year in weak_years:
        return {"ngay_hoi": 0.90, "bctmt": 0.84, "mttq": 0.74}[kind] + rng.uniform(-0.04, 0.03)
    if lagging:
        return {"ngay_hoi": 0.89, "bctmt": 0.82, "mttq": 0.72}[kind] + rng.uniform(-0.05, 0.04)
    return {"ngay_hoi": 0.985, "bctmt": 0.95, "mttq": 0.93}[kind] + rng.uniform(-0.015, 0.015)


def _meeting(units: list, share: float, rng: random.Random) -> set[int]:
    shuffled = list(units)
    rng.shuffle(shuffled)
    return {u.pk for u in shuffled[: round(len(units) * min(share, 1.0))]}


def _monthly(month: int, rng: random.Random) -> dict:
    peak = month in (10, 11)
    thu = Decimal(rng.randint(20, 90) if peak else rng.randint(0, 12))
    values = {
        "quy_vnn_thu": thu,
        "quy_vnn_chi": (thu * Decimal(rng.randint(40, 90)) / 100).quantize(Decimal("0.01")),
        "nha_ddk_xay_moi": 1 if rng.random() < (0.25 if peak else 0.05) else 0,
        "nha_ddk_sua_chua": 1 if rng.random() < (0.2 if peak else 0.05) else 0,
        "ho_ngheo_duoc_giup": rng.randint(5, 25) if peak else rng.randint(0, 8),
        "ho_thoat_ngheo": rng.randint(2, 10) if month == 12 else rng.randint(0, 2),
        "phien_cho_hang_viet": 1 if rng.random() < 0.05 else 0,
        "giam_sat": rng.randint(0, 2),
        "phan_bien": 1 if rng.random() < 0.15 else 0,
        "tiep_xuc_cu_tri": rng.randint(1, 3) if month in (4, 5, 10, 11) else (1 if rng.random() < 0.1 else 0),
        "tuyen_truyen_buoi": rng.randint(1, 6),
        "tap_huan_lop": 1 if rng.random() < 0.1 else 0,
        "doi_ngoai": 1 if rng.random() < 0.03 else 0,
    }
    values["hoa_giai_vu"] = rng.randint(0, 4)
    values["hoa_giai_thanh"] = sum(1 for _ in range(values["hoa_giai_vu"]) if rng.random() < 0.8)
    values["tuyen_truyen_luot"] = values["tuyen_truyen_buoi"] * rng.randint(30, 80)
    values["tap_huan_luot"] = values["tap_huan_lop"] * rng.randint(20, 50)
    return values


def demo_values_create(province: Unit, years: list[int], users) -> _Builder:
    forms = {f.code: f for f in ReportForm.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    levels = {
        (lv.scale.code, lv.code): lv for lv in RatingLevel.objects.select_related("scale")
    }
    builder = _Builder(users)
    builder.existing = set(
        Submission.objects.filter(year__in=years, unit__province=province).values_list("form_id", "unit_id", "period")
    )
    districts = list(Unit.objects.filter(parent=province, kind=UnitKind.DISTRICT).order_by("code"))
    units = list(Unit.objects.within(province).filter(kind__in=[UnitKind.COMMUNE, UnitKind.AREA]).order_by("code"))
    weak = {k: (v & set(years)) or {years[0]} for k, v in WEAK_YEARS.items()}
    last = max(years)
    tinh = users["tinh"]

    for year in years:
        period = Period.year_of(year)
        day = datetime.date(year, 11, 1)
        # The tree of that year: each unit's district as at 1 November (areas moved in 2025 included).
        district_of = dict(
            UnitPlacement.objects.on(day).filter(province=province, kind__in=[UnitKind.COMMUNE, UnitKind.AREA])
            .values_list("unit_id", "district_id")
        )
        active = [u for u in units if u.is_active_on(day) and district_of.get(u.pk)]
        district_mttq = {}
        annual = {}  # (district pk, indicator code) -> sum of the year's monthly values
        for index, district in enumerate(districts):
            officer = users.get(f"huyen.{district.code}") or tinh
            communes = [u for u in active if u.kind == UnitKind.COMMUNE and district_of[u.pk] == district.pk]
            areas = [u for u in active if u.kind == UnitKind.AREA and district_of[u.pk] == district.pk]

            # Ngày hội: most areas hold it, on a day between 1 and 18 November.
            rng = random.Random(f"{year}-ngay_hoi-{district.code}")
            held = _meeting(areas, _share("ngay_hoi", year, weak["ngay_hoi"], index, rng), rng)
            sub = builder.submission(forms["ngay_hoi"], district, period, rng, last_year=year == last, submitter=officer)
            if sub is not None:
                for area in areas:
                    is_held = area.pk in held
                    builder.value(sub, indicators["ngay_hoi_to_chuc"], area, period, value_bool=is_held)
                    if is_held:
                        builder.value(sub, indicators["ngay_hoi_ngay"], area, period,
                                      value_date=datetime.date(year, 11, rng.randint(1, 18)))
                        builder.value(sub, indicators["ngay_hoi_le_va_hoi"], area, period, value_bool=rng.random() < 0.85)
                        builder.value(sub, indicators["ngay_hoi_bua_com"], area, period, value_bool=rng.random() < 0.6)

            # Ban công tác Mặt trận: Tốt/Khá for the share that meets the target.
            rng = random.Random(f"{year}-xep_loai_bctmt-{district.code}")
            good = _meeting(areas, _share("bctmt", year, weak["bctmt"], index, rng), rng)
            sub = builder.submission(forms["xep_loai_bctmt"], district, period, rng, last_year=year == last, submitter=officer)
            if sub is not None:
                for area in areas:
                    code = rng.choice(["tot", "kha", "kha"]) if area.pk in good else rng.choice(["trung_binh", "trung_binh", "yeu"])
                    builder.value(sub, indicators["xep_loai_bctmt"], area, period, rating_level=levels[("bctmt", code)])

            # Front committees of the communes: rated by the district.
            rng = random.Random(f"{year}-xep_loai_mttq_xa-{district.code}")
            strong = _meeting(communes, _share("mttq", year, weak["mttq"], index, rng), rng)
            district_mttq[district.pk] = rng.random() < (0.6 if year in weak["mttq"] else 0.9)
            sub = builder.submission(forms["xep_loai_mttq_xa"], district, period, rng, last_year=year == last, submitter=officer)
            if sub is not None:
                for commune in communes:
                    code = "vung_manh" if commune.pk in strong else rng.choice(["kha", "kha", "trung_binh"])
                    builder.value(sub, indicators["xep_loai_mttq"], commune, period, rating_level=levels[("mttq", code)])

            # Monthly report: one row per commune.
            for month in range(1, 13):
                month_period = Period.month(year, month)
                rng = random.Random(f"{year}-{month}-bao_cao_thang-{district.code}")
                figures = {c.pk: _monthly(month, rng) for c in communes}
                for values in figures.values():
                    for code, v in values.items():
                        annual[(district.pk, code)] = annual.get((district.pk, code), 0) + v
                sub = builder.submission(forms["bao_cao_thang"], district, month_period, rng,
                                         last_year=year == last, submitter=officer)
                if sub is None:
                    continue
                for commune in communes:
                    for code, v in figures[commune.pk].items():
                        builder.value(sub, indicators[code], commune, month_period, value_number=Decimal(v))

        # Province level: districts' Front committees rated, and each district's yearly plan.
        rng = random.Random(f"{year}-xep_loai_mttq_huyen")
        sub = builder.submission(forms["xep_loai_mttq_huyen"], province, period, rng, last_year=year == last, submitter=tinh)
        if sub is not None:
            for district in districts:
                code = "vung_manh" if district_mttq[district.pk] else "kha"
                builder.value(sub, indicators["xep_loai_mttq"], district, period, rating_level=levels[("mttq", code)])
        rng = random.Random(f"{year}-ke_hoach")
        sub = builder.submission(forms["ke_hoach"], province, period, rng, last_year=False, submitter=tinh)
        if sub is not None:
            for district in districts:
                for fi in forms["ke_hoach"].form_indicators.select_related("indicator"):
                    done = Decimal(annual.get((district.pk, fi.indicator.code), 0))
                    planned = (done * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal("1"))
                    builder.plan(sub, fi.indicator, district, year, max(planned, Decimal(1)))
    return builder


def seed_demo(*, years: list[int] | None = None, recompute: bool = True) -> DemoSummary:
    """Create the demo accounts, areas and values (see module docstring); idempotent.

    Years before the reform are built on the old tree; then the reform is imported, the
    2025–2030 plan copied and the later years built on the new tree. With ``recompute``, the
    earlier years are recomputed before and after the reform and must not change (a
    ``RuntimeError`` says so otherwise).
    """
    from mattran.services import units_import_from_package

    years = sorted(years or DEFAULT_YEARS)
    before, after = [y for y in years if y < REFORM_DAY.year], [y for y in years if y >= REFORM_DAY.year]
    summary = DemoSummary()
    started = time.perf_counter()
    with transaction.atomic():
        if not Unit.objects.filter(code=PROVINCE_CODE, kind=UnitKind.PROVINCE).exists():
            units_import_from_package(province_code=PROVINCE_CODE)
        province = Unit.objects.get(code=PROVINCE_CODE)
        summary.accounts = demo_accounts_ensure(province)
        summary.areas_created = demo_areas_ensure(province)
        users = {u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in summary.accounts])}
        builder = demo_values_create(province, before, users) if before else _Builder(users)
        builder.save()
        _count(summary, builder)
        bump_data_version()  # bulk rows: no signal tells the dashboard's cache (reports/cache.py)
    summary.seconds_data = time.perf_counter() - started
    old_figures = None
    if recompute and before:
        started = time.perf_counter()
        runs.years_recompute_inline(before)
        _scores(before)
        old_figures = reform.figures(before)
        summary.seconds_recompute += time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        summary.accounts += reform.reform_ensure(PROVINCE_CODE)
        plan = reform.new_plan_ensure()
        users = {u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in summary.accounts])}
        builder = _Builder(users)
        if plan is not None and after:
            reform.new_tree_values(builder, plan, province, after, users)
        builder.save()
        _count(summary, builder)
        bump_data_version()
    summary.seconds_data += time.perf_counter() - started
    if recompute:
        started = time.perf_counter()
        runs.years_recompute_inline(years)
        _scores(years)
        summary.recomputed = True
        if old_figures is not None:
            summary.history_kept = reform.figures(before) == old_figures
            if not summary.history_kept:
                raise RuntimeError("the figures of the years before the reform changed after it")
        summary.seconds_recompute += time.perf_counter() - started
    return summary


def _count(summary: DemoSummary, builder: _Builder) -> None:
    summary.submissions_created += len(builder.subs)
    summary.values_created += len(builder.values)
    summary.plans_created += len(builder.plans)


def _scores(years) -> None:
    """The emulation scores of ``years`` recomputed now (the demo does not wait for the queue)."""
    from django.apps import apps

    if apps.is_installed("emulation"):
        from emulation.recompute import scores_recompute

        for year in years:
            scores_recompute(year=year)
