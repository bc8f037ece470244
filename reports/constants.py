"""The statuses, fixed sets and years of the reports app, in one place."""
import datetime
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.loaders import TARGETS
from programs.models import ValueType


class SubmissionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Nháp")
    SUBMITTED = "SUBMITTED", _("Đã gửi")
    RETURNED = "RETURNED", _("Bị trả lại")
    APPROVED = "APPROVED", _("Đã duyệt")


# Values of these submissions count in targets, roll-ups, completeness and reminders; drafts and
# returned submissions never do.
COUNTED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
# An officer may still edit a submission in these.
OPEN_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class RunStatus(models.TextChoices):
    STARTED = "STARTED", _("Đang tính")
    DONE = "DONE", _("Hoàn tất")
    FAILED = "FAILED", _("Lỗi")


# The kind of the run record of the target computation (one per year).
RUN_KIND = "targets"

# Indicator types rolled up the unit tree (ratings and text are not summed).
AGGREGATED_TYPES = (ValueType.INTEGER, ValueType.DECIMAL, ValueType.BOOLEAN)


def year_end(year: int) -> date:
    """The day a year's figures are computed on: the unit tree as at 31 December."""
    return date(year, 12, 31)


# The years figures are computed, shown and exported for: from the first to the last year of the
# action plan's targets, as its catalogue states them (programs/loaders.py; 2016–2020).
TREND_YEARS = tuple(range(
    min(spec.first_year for spec in TARGETS.values()), max(spec.last_year for spec in TARGETS.values()) + 1,
))


def trend_years(year: int) -> tuple[int, ...]:
    """The years a trend is drawn over for ``year``: those of the plan whose term holds it, from its
    targets' first to their last year inside the term; the catalogue's when no plan does.
    2019 → 2016–2020 (the 2015–2020 plan), 2025 → the 2025–2030 plan's years."""
    from programs.selectors import plan_spans

    for start, end, first, last in plan_spans():  # latest first: the latest plan holding the year
        if start <= year <= end:
            return tuple(range(max(start, first or start), min(end, last or end) + 1))
    return TREND_YEARS


def _plan_terms() -> list[tuple[int, int]]:
    """(first, last year) of every action plan, latest first."""
    from programs.selectors import plan_terms

    return plan_terms()


def default_year(today: datetime.date | None = None, terms=None) -> int:
    """The year shown when none is asked for: this year, kept inside the term of the plan in
    force (its term holds this year), else of the latest plan."""
    today = today or timezone.localdate()
    terms = _plan_terms() if terms is None else terms
    holding = [term for term in terms if term[0] <= today.year <= term[1]]
    first, last = holding[0] if holding else terms[0] if terms else (TREND_YEARS[0], TREND_YEARS[-1])
    return min(max(today.year, first), last)


def parse_year(text: str | None, today: datetime.date | None = None) -> int:
    """The ``?year=`` parameter; a year outside every plan's term falls back to the default year."""
    try:
        year = int(text)
    except (TypeError, ValueError):
        return default_year(today)
    if TREND_YEARS[0] <= year <= TREND_YEARS[-1]:
        return year  # no query: the cached dashboard answers in a few
    terms = _plan_terms()
    return year if any(first <= year <= last for first, last in terms) else default_year(today, terms)
