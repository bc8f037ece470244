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


def default_year(today: datetime.date | None = None) -> int:
    """The year shown when none is asked for: this year, kept inside the plan's term."""
    today = today or timezone.localdate()
    return min(max(today.year, TREND_YEARS[0]), TREND_YEARS[-1])


def parse_year(text: str | None, today: datetime.date | None = None) -> int:
    """The ``?year=`` parameter; anything outside the term falls back to the default year."""
    try:
        year = int(text)
    except (TypeError, ValueError):
        return default_year(today)
    return year if TREND_YEARS[0] <= year <= TREND_YEARS[-1] else default_year(today)
