"""Reads for the dashboard, the program and campaign figure pages and the report exports.

Everything comes from the precomputed ``TargetResult``, ``IndicatorAggregate`` and ``PlanValue``
rows; nothing is computed per request. Every function issues a fixed number of queries, whatever
the number of units below the root.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Campaign
from mattran import copies
from mattran.access import get_visible_unit_or_404, scope_of
from mattran.models import ANCESTOR_FIELD, Unit, UnitKind
from mattran.selectors import active_kinds_within, children_active_on
from programs.models import Indicator, Target, ValueType, WorkProgram
from programs.selectors import targets_in_order
from reports.constants import COUNTED_STATUSES, trend_years
from reports.indicator_codes import (  # the figures the provincial committee reads first
    FUND_RAISED,
    FUND_SPENT,
    HEADLINE_CODES,
    HOUSES_BUILT,
    HOUSES_REPAIRED,
    OUT_OF_POVERTY,
)
from reports.models import (
    FormKind,
    PlanValue,
    ReportForm,
    Submission,
    SubmissionStatus,
    TargetResult,
)
from reports.periods import Period, PeriodType
from reports.submissions.selectors import report_forms
from reports.targets.judgement import NO_DATA, Judgement, judge
from reports.targets.selectors import aggregate_values, targets_applying

NUMERIC_TYPES = (ValueType.INTEGER, ValueType.DECIMAL)
KEY_FIGURES_PER_PROGRAM = 4



def root_unit_for(user, code: str | None = None) -> Unit:
    """The unit a page is about: ``code`` if the user may see it, else the user's own scope.

    Administrators with no scope get the province. Raises Http404 for a unit out of scope.
    """
    if code:
        return get_visible_unit_or_404(user, code=code)
    scope = scope_of(user)
    if scope is not None:
        return scope
    province = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
    if province is None:
        raise Http404
    return province


def plain_number(value):
    """Decimal → int when it has no fraction, so "1.234.567" shows without ",00"."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def ratio_percent(done, plan) -> Decimal | None:
    if done is None or not plan:
        return None
    return (Decimal(done) * 100 / Decimal(plan)).quantize(Decimal("0.1"))


@dataclass
class TargetRow:
    target: Target
    result: TargetResult | None
    trend: list  # (target, result or None) per trend year (``trend_years``)
    year: int = 0
    due_result: TargetResult | None = None

    @property
    def judgement(self) -> Judgement:
        return judge(self.target, self.result, self.year, self.due_result)

    @property
    def status(self) -> str:
        return self.judgement.status


@dataclass
class Tile:
    unit: Unit
    achieved: int = 0
    judged: int = 0
    results: list = field(default_factory=list)

    @property
    def status(self) -> str:
        """How the unit stands: all targets met, some met, none met, or nothing computed."""
        if not self.judged:  # nothing computed, or nothing reported ("Chưa báo cáo")
            return NO_DATA
        if self.achieved == self.judged:
            return "good"
        return "partial" if self.achieved else "bad"

    @property
    def label(self) -> str:
        """What the tile says (translated here, not by a tag per tile: a province draws 65 of them)."""
        if self.judged:
            return gettext("%(a)s/%(n)s chỉ tiêu đạt") % {"a": self.achieved, "n": self.judged}
        return gettext("Chưa báo cáo") if self.results else gettext("Chưa có số liệu")


@dataclass
class PlanFigure:
    indicator: Indicator | None
    done: object
    plan: object

    @property
    def percent(self):
        return ratio_percent(self.done, self.plan)


def _child_units(root: Unit, day: datetime.date):
    """The units drawn as tiles: those directly under ``root`` and active on ``day`` (the tree's copy)."""
    return list(children_active_on(root.pk, day))


# TargetResult's columns in model order (a row makes the model positionally), and where those a tile reads are.
RESULT_FIELDS = [f.attname for f in TargetResult._meta.concrete_fields]
UNIT_AT, ACHIEVED_AT, NOT_REPORTED_AT, DENOMINATOR_AT = (
    RESULT_FIELDS.index(name) for name in ("unit_id", "achieved", "not_reported", "denominator")
)


def target_overview(root: Unit, year: int, children: list[Unit], years) -> tuple[list[TargetRow], list[Tile]]:
    """Target rows (badge for ``year`` and trend over ``years``) for ``root`` and tiles for ``children``: 2 queries."""
    targets = targets_applying(targets_in_order(), year)
    # Two parts joined by UNION ALL, not one OR: PostgreSQL plans the OR of two index conditions in
    # 1.3 ms (a BitmapOr costed for every child id), the union in 0.25 ms; both run in 0.2 ms.
    results = TargetResult.objects.filter(unit=root, year__in={*years, year}).values_list(*RESULT_FIELDS).union(
        TargetResult.objects.filter(unit__in=[c.pk for c in children], year=year).values_list(*RESULT_FIELDS),
        all=True,
    )
    own: dict[tuple[int, int], TargetResult] = {}
    # A tile only counts its unit's results: (achieved, nothing reported) pairs, no model for each.
    by_child: dict[int, list[tuple[bool, bool]]] = defaultdict(list)
    for row in results:
        if row[UNIT_AT] == root.pk:
            result = TargetResult.from_db(results.db, RESULT_FIELDS, row)
            own[(result.target_id, result.year)] = result
        else:
            by_child[row[UNIT_AT]].append((row[ACHIEVED_AT], 0 < row[DENOMINATOR_AT] <= row[NOT_REPORTED_AT]))
    rows = [
        TargetRow(
            target=t,
            result=own.get((t.pk, year)),
            trend=[(t, own.get((t.pk, y))) for y in years],
            year=year,
            due_result=own.get((t.pk, t.due_year)),
        )
        for t in targets
    ]
    tiles = []
    for child in children:
        child_results = by_child.get(child.pk, [])
        tiles.append(
            Tile(
                unit=child,
                results=child_results,
                achieved=sum(1 for achieved, nothing in child_results if achieved and not nothing),
                judged=sum(1 for _achieved, nothing in child_results if not nothing),
            )
        )
    return rows, tiles


def _current_period(form: ReportForm, today: datetime.date) -> Period:
    """The latest period of the form's type that has ended by ``today`` (this month's report)."""
    periods = Period.all_in_year(today.year, form.period_type) + Period.all_in_year(today.year - 1, form.period_type)
    ended = [p for p in periods if p.end < today]
    return max(ended, key=lambda p: p.end)


def reporting_completeness(root: Unit, today: datetime.date) -> list[dict]:
    """Per data form: how many of the expected units under ``root`` have sent this month's report.

    One query besides the copies of the forms and of the units counted per kind: an aggregate over submissions.
    """
    forms = [
        f for f in report_forms()
        if f.kind == FormKind.DATA and (f.applies_to_year(today.year) or f.applies_to_year(today.year - 1))
    ]
    if not forms:
        return []
    periods = {f.pk: _current_period(f, today) for f in forms}
    units = Unit.objects.within(root).active_on(today)
    expected = active_kinds_within(root.pk, root.kind, today)
    # Counted per (form, period) over the forms' current periods, the pairs wanted kept in Python:
    # one IN per column, not an OR of a condition per form.
    counts = {
        row["form"]: row
        for row in Submission.objects.filter(
            form__in=[f.pk for f in forms], period__in={str(p) for p in periods.values()}, unit__in=units,
        )
        .values("form", "period")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=COUNTED_STATUSES)),
            approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
        )
        .order_by()
        if row["period"] == str(periods[row["form"]])
    }
    rows = []
    for form in forms:
        total = expected.get(form.submitter_kind_on(periods[form.pk].end), 0)
        if not total:  # nobody under the root sends this form (e.g. a province-level form for a district)
            continue
        got = counts.get(form.pk, {})
        submitted = got.get("submitted", 0)
        rows.append({
            "form": form,
            "period": periods[form.pk],
            "expected": total,
            "submitted": submitted,
            "approved": got.get("approved", 0),
            "percent": ratio_percent(submitted, total),
        })
    return rows


def aggregates_by(root_or_units, indicators, periods) -> dict[tuple[int, int, str], object]:
    """``{(indicator_id, unit_id, period): value}`` for the given units and periods: 1 query."""
    units = root_or_units if isinstance(root_or_units, list | tuple) else [root_or_units]
    values = aggregate_values([i.pk for i in indicators], [u.pk for u in units], periods)
    return {key: plain_number(v) for key, v in values.items()}


def plans_by(units, indicators, years) -> dict[tuple[int, int, int], object]:
    """``{(indicator_id, unit_id, year): plan}``, 1 query. A unit's plan is the one it was given, or else
    the sum of the plans given to the units beneath it (the province hands plans to its districts)."""
    units = list(units)
    if not units:
        return {}
    subtrees = Q()
    for unit in units:
        subtrees |= Q(**{f"unit__{ANCESTOR_FIELD[unit.kind]}": unit.pk})
    rows = PlanValue.objects.filter(
        subtrees, indicator__in=[i.pk for i in indicators], year__in=list(years)
    ).values_list("indicator_id", "year", "unit_id", "unit__province_id", "unit__district_id", "unit__commune_id", "value")
    own, below = {}, defaultdict(Decimal)
    for indicator_id, year, unit_id, province_id, district_id, commune_id, value in rows:
        ancestors = {"province": province_id, "district": district_id, "commune": commune_id}
        for unit in units:
            key = (indicator_id, unit.pk, year)
            if unit_id == unit.pk:
                own[key] = value
            elif ancestors.get(ANCESTOR_FIELD[unit.kind]) == unit.pk:
                below[key] += value
    plans = {key: plain_number(value) for key, value in below.items()}
    plans.update({key: plain_number(value) for key, value in own.items()})
    return plans


@copies.cached("reports.numeric_indicators")
def numeric_indicators() -> tuple[Indicator, ...]:
    """Numeric indicators that serve a program, with their program: the catalogue's copy (read-only)."""
    return tuple(
        Indicator.objects.filter(value_type__in=NUMERIC_TYPES, program__isnull=False)
        .select_related("program")
        .order_by("program__number", "code")
    )


@copies.cached("reports.top_campaigns")
def top_campaigns() -> tuple[Campaign, ...]:
    """The campaigns at the top of their tree, with their program: the catalogue's copy (read-only)."""
    return tuple(Campaign.objects.select_related("program").filter(parent__isnull=True).order_by("order", "code"))


def dashboard(root: Unit, year: int, today: datetime.date | None = None) -> dict:
    """Everything the dashboard shows for ``root`` and ``year`` in a fixed number of queries."""
    today = today or timezone.localdate()
    children = _child_units(root, datetime.date(year, 12, 31))
    trend = trend_years(year)  # the years of the plan in force that year
    target_rows, tiles = target_overview(root, year, children, trend)
    indicators = numeric_indicators()
    by_code = {i.code: i for i in indicators}
    years = [Period.year_of(y) for y in trend]
    values = aggregates_by(root, indicators, years)
    headline = [by_code[c] for c in HEADLINE_CODES if c in by_code]
    plans = plans_by([root], headline, [year])

    def figure(code):
        indicator = by_code.get(code)
        if indicator is None:
            return PlanFigure(None, None, None)
        return PlanFigure(indicator, values.get((indicator.pk, root.pk, str(year))), plans.get((indicator.pk, root.pk, year)))

    programs: dict[int, dict] = {}
    for campaign in top_campaigns():
        entry = programs.setdefault(campaign.program.number, {"program": campaign.program, "figures": [], "campaigns": []})
        entry["campaigns"].append(campaign)
    for indicator in indicators:
        entry = programs.setdefault(
            indicator.program.number, {"program": indicator.program, "figures": [], "campaigns": []}
        )
        value = values.get((indicator.pk, root.pk, str(year)))
        if value is not None and len(entry["figures"]) < KEY_FIGURES_PER_PROGRAM:
            entry["figures"].append({"indicator": indicator, "value": value})
    chart = {
        "years": list(trend),
        "targets": [
            {"code": r.target.code, "name": r.target.name, "threshold": float(r.target.threshold_percent),
             # No point for a year with nothing reported (a gap in the line, not a fall to 0%).
             "values": [None if result is None or result.percent is None or result.nothing_reported
                        else float(result.percent) for _target, result in r.trend]}
            for r in target_rows
        ],
        "figures": [
            {"code": i.code, "name": i.name, "unit": i.unit_label,
             "values": [_float(values.get((i.pk, root.pk, str(y)))) for y in trend]}
            for i in headline
        ],
    }
    computed = [r.result.computed_at for r in target_rows if r.result is not None]
    return {
        "root": root,
        "year": year,
        "years": sorted({*trend, year}),
        "targets": target_rows,
        "tiles": tiles,
        "completeness": reporting_completeness(root, today),
        "fund": {"raised": figure(FUND_RAISED), "spent": figure(FUND_SPENT)},
        "houses": {"built": figure(HOUSES_BUILT), "repaired": figure(HOUSES_REPAIRED)},
        "out_of_poverty": figure(OUT_OF_POVERTY),
        "programs": [programs[n] for n in sorted(programs)],
        "chart": chart,
        "computed_at": max(computed) if computed else None,
    }


def _float(value):
    return None if value is None else float(value)


@dataclass
class FigureTable:
    """Indicators over years (and months of one year) for a root, and by child unit for one year."""

    indicators: list
    years: tuple
    by_year: list  # [(indicator, [value per year])]
    months: list  # [Period]
    by_month: list  # [(indicator, [value per month])]
    children: list  # [Unit]
    by_child: list  # [(unit, [value per indicator])]
    totals: list  # [value per indicator] for the root in the chosen year

    def chart_data(self) -> dict:
        return {
            "years": list(self.years),
            "months": [p.first_month for p in self.months],
            "series": [
                {"code": i.code, "name": i.name, "unit": i.unit_label,
                 "years": [_float(v) for v in ys], "months": [_float(v) for v in ms]}
                for (i, ys), (_i, ms) in zip(self.by_year, self.by_month, strict=True)
            ],
        }


def figure_table(root: Unit, indicators: list, year: int, with_months: bool = False, trend=None) -> FigureTable:
    """Build a :class:`FigureTable` in three queries (the plan's years, child units, aggregates)."""
    trend = trend_years(year) if trend is None else trend
    children = _child_units(root, datetime.date(year, 12, 31))
    months = Period.all_in_year(year, PeriodType.MONTHLY) if with_months else []
    years = [Period.year_of(y) for y in trend]
    values = aggregates_by([root, *children], indicators, years + months)
    return FigureTable(
        indicators=indicators,
        years=trend,
        by_year=[(i, [values.get((i.pk, root.pk, str(p))) for p in years]) for i in indicators],
        months=months,
        by_month=[(i, [values.get((i.pk, root.pk, str(p))) for p in months]) for i in indicators],
        children=children,
        by_child=[(c, [values.get((i.pk, c.pk, str(year))) for i in indicators]) for c in children],
        totals=[values.get((i.pk, root.pk, str(year))) for i in indicators],
    )


def program_figures(root: Unit, number: int, year: int) -> dict:
    """The figure page of work program ``number`` in ``year``: the program of the plan in force that
    year (else the latest), its targets and results, and the program's indicators. Indicators are
    shared between terms (a copied plan keeps them on the first plan's program), so they are read by
    the program's number across plans."""
    programs = list(WorkProgram.objects.select_related("plan").filter(number=number).order_by("-plan__term_start"))
    if not programs:
        raise Http404
    program = next((p for p in programs if p.plan.term_start <= year <= p.plan.term_end), programs[0])
    indicators = list(
        Indicator.objects.filter(program__number=number, value_type__in=NUMERIC_TYPES).select_related("program")
        .order_by("code")
    )
    targets = targets_applying(program.targets.order_by("code"), year)
    trend = trend_years(year)
    results = {
        (r.target_id, r.year): r
        for r in TargetResult.objects.filter(unit=root, target__in=[t.pk for t in targets], year__in=trend)
    }
    target_rows = [
        TargetRow(target=t, result=results.get((t.pk, year)), trend=[(t, results.get((t.pk, y))) for y in trend],
                  year=year, due_result=results.get((t.pk, t.due_year)))
        for t in targets
    ]
    return {"program": program, "targets": target_rows, "table": figure_table(root, indicators, year, trend=trend)}


def campaign_figures(root: Unit, code: str, year: int) -> dict:
    """The figure page of a campaign: its indicators by year, by month of ``year`` and by unit."""
    campaign = Campaign.objects.select_related("program").filter(code=code).first()
    if campaign is None:
        raise Http404
    indicators = list(campaign.indicators.filter(value_type__in=NUMERIC_TYPES).order_by("code"))
    return {"campaign": campaign, "table": figure_table(root, indicators, year, with_months=True)}
