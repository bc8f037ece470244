"""The statuses and fixed sets of the reports app, in one place; years come from the plan (``plan_years``)."""
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

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
