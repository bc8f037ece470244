"""Submissions and values written directly, for the target computation tests (tiny trees only)."""
from decimal import Decimal

from programs.models import Indicator, RatingLevel
from reports.models import DataValue, ReportForm, Submission, SubmissionStatus

FORM_OF_INDICATOR = {
    "ngay_hoi_to_chuc": "ngay_hoi",
    "xep_loai_bctmt": "xep_loai_bctmt",
    "xep_loai_mttq": "xep_loai_mttq_xa",
}


def submit(form_code, submitter, period, values, *, status=SubmissionStatus.APPROVED):
    """One submission of ``form_code`` by ``submitter`` holding ``values``: {(indicator_code, unit): value}.

    A value is a bool (yes/no), a number, or a rating level code ("kha") for rating indicators.
    """
    form = ReportForm.objects.get(code=form_code)
    submission = Submission.objects.create(
        form=form, unit=submitter, period=str(period), year=int(str(period)[:4]), status=status,
    )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={code for code, _ in values})}
    rows = []
    for (code, unit), value in values.items():
        indicator = indicators[code]
        row = DataValue(indicator=indicator, unit=unit, period=str(period), year=submission.year, submission=submission)
        if indicator.value_type == "BOOLEAN":
            row.value_bool = value
        elif indicator.value_type == "RATING":
            row.rating_level = RatingLevel.objects.get(scale=indicator.rating_scale_id, code=value)
        else:
            row.value_number = Decimal(str(value))
        rows.append(row)
    DataValue.objects.bulk_create(rows)
    return submission


def festival(submitter, year, held_by_area, **kwargs):
    """The festival record: {area: True/False}."""
    return submit("ngay_hoi", submitter, year, {("ngay_hoi_to_chuc", a): v for a, v in held_by_area.items()}, **kwargs)


def ratings(form_code, indicator_code, submitter, year, level_by_unit, **kwargs):
    return submit(form_code, submitter, year, {(indicator_code, u): v for u, v in level_by_unit.items()}, **kwargs)
