"""The rules of a report across cells and rows: errors (nothing may be saved) and warnings (saved
once the officer confirms). Rules keyed to indicator codes name them in ``reports.indicator_codes``,
which a system check keeps honest."""
from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from programs.models import RatingLevel, ValueType
from reports import indicator_codes as codes
from reports.periods import Period, PeriodType
from reports.submissions.validation import NUMBER_TYPES, Problem, display_value

FESTIVAL_FIRST_DAY = (11, 1)
FESTIVAL_LAST_DAY = (11, 18)


def check_rows(form, period, rows, *, indicators=None) -> tuple[list[Problem], list[Problem]]:
    """Apply the rules across cells and rows; answer (errors, warnings).

    ``rows`` maps a unit to ``{indicator_code: typed value}`` (missing codes are unknown, not
    empty). ``indicators`` maps code → Indicator (defaults to the form's). Rules:

    - counts and amounts are not negative (unless the indicator's lower bound says otherwise);
    - cases solved (``MEDIATION_SOLVED``) ≤ mediation cases (``MEDIATION_CASES``);
    - Quỹ "Vì người nghèo": spent to date in the year ≤ raised to date in the year, counting the
      months of the year before this one that are stored plus this period's row (a simple balance:
      money carried over from earlier years is not counted);
    - a part of the festival (``FESTIVAL_PARTS``) true ⇒ the festival held (``FESTIVAL_HELD``) true;
    - a rating is a level of its indicator's scale;
    - warning: a festival date outside 1/11–18/11 of the period's year.
    """
    period = Period.parse(str(period)) if not isinstance(period, Period) else period
    if indicators is None:
        indicators = {fi.indicator.code: fi.indicator for fi in form.form_indicators.select_related("indicator")}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    earlier_fund = _earlier_fund_totals(period, rows, indicators)
    for unit, values in rows.items():
        for code, value in values.items():
            indicator = indicators.get(code)
            if indicator is None or value is None:
                continue
            if indicator.value_type in NUMBER_TYPES and value < 0 and (
                indicator.min_value is None or indicator.min_value >= 0
            ):
                errors.append(Problem(unit, indicator, _("Số liệu không được âm.")))
            if indicator.value_type == ValueType.RATING and (
                not isinstance(value, RatingLevel) or value.scale_id != indicator.rating_scale_id
            ):
                errors.append(Problem(unit, indicator, _("Xếp loại phải là một mức của thang %(scale)s.")
                                      % {"scale": indicator.rating_scale}))
        _check_mediation(unit, values, indicators, errors)
        _check_fund(unit, values, indicators, earlier_fund, errors)
        _check_festival(unit, values, indicators, period, errors, warnings)
    return errors, warnings


def _check_mediation(unit, values, indicators, errors):
    cases, solved = values.get(codes.MEDIATION_CASES), values.get(codes.MEDIATION_SOLVED)
    if cases is not None and solved is not None and solved > cases:
        errors.append(Problem(
            unit, indicators.get(codes.MEDIATION_SOLVED, codes.MEDIATION_SOLVED),
            _("Số vụ hòa giải thành (%(solved)s) lớn hơn số vụ hòa giải (%(cases)s).")
            % {"solved": display_value(solved), "cases": display_value(cases)},
        ))


def _check_fund(unit, values, indicators, earlier, errors):
    raised, spent = values.get(codes.FUND_RAISED), values.get(codes.FUND_SPENT)
    if spent is None:
        return
    before = earlier.get(getattr(unit, "pk", unit), {})
    raised_total = (raised or 0) + before.get(codes.FUND_RAISED, 0)
    spent_total = spent + before.get(codes.FUND_SPENT, 0)
    if spent_total > raised_total:
        errors.append(Problem(
            unit, indicators.get(codes.FUND_SPENT, codes.FUND_SPENT),
            _("Số chi từ đầu năm (%(spent)s) vượt số đã vận động được từ đầu năm (%(raised)s).")
            % {"spent": display_value(Decimal(spent_total)), "raised": display_value(Decimal(raised_total))},
        ))


def _earlier_fund_totals(period: Period, rows, indicators) -> dict:
    """Per unit: the fund raised and spent in the months of this year before ``period`` (one query)."""
    fund_codes = [code for code in (codes.FUND_RAISED, codes.FUND_SPENT) if code in indicators]
    if codes.FUND_SPENT not in fund_codes or period.type != PeriodType.MONTHLY or period.first_month == 1:
        return {}
    unit_ids = [getattr(unit, "pk", unit) for unit, values in rows.items() if values.get(codes.FUND_SPENT) is not None]
    if not unit_ids:
        return {}
    from reports.models import DataValue

    earlier = [str(p) for p in Period.parse(f"{period.year}").months()[: period.first_month - 1]]
    totals: dict = defaultdict(dict)
    for row in (
        DataValue.objects.filter(indicator__code__in=fund_codes, unit_id__in=unit_ids, period__in=earlier)
        .values("unit_id", "indicator__code")
        .annotate(total=Sum("value_number"))
    ):
        totals[row["unit_id"]][row["indicator__code"]] = row["total"] or 0
    return totals


def _check_festival(unit, values, indicators, period, errors, warnings):
    held = values.get(codes.FESTIVAL_HELD)
    for code in codes.FESTIVAL_PARTS:
        if values.get(code) is True and held is not True:
            errors.append(Problem(
                unit, indicators.get(code, code),
                _("Đã ghi “Có” nhưng Ngày hội không được ghi là đã tổ chức."),
            ))
    day = values.get(codes.FESTIVAL_DAY)
    if isinstance(day, datetime.date):
        first = datetime.date(period.year, *FESTIVAL_FIRST_DAY)
        last = datetime.date(period.year, *FESTIVAL_LAST_DAY)
        if not first <= day <= last:
            warnings.append(Problem(
                unit, indicators.get(codes.FESTIVAL_DAY, codes.FESTIVAL_DAY),
                _("Ngày %(day)s nằm ngoài khoảng 01/11–18/11/%(year)s thường tổ chức Ngày hội; hãy kiểm tra lại.")
                % {"day": display_value(day), "year": period.year},
            ))
