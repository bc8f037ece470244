"""Reads for the reporting pages: grid rows, the inbox, completeness. Query counts do not grow with rows."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mattran import copies
from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import RatingLevel, ValueType
from programs.selectors import plan_years
from reports.constants import COUNTED_STATUSES
from reports.models import (
    PLAN_TEXTS_DEFERRED,
    DataValue,
    FormIndicator,
    FormKind,
    PlanValue,
    ReportForm,
    Submission,
    SubmissionStatus,
)
from reports.periods import Period

NOT_STARTED = "NOT_STARTED"
STATUS_LABELS = {
    NOT_STARTED: _("Chưa nhập"),
    SubmissionStatus.DRAFT: _("Nháp"),
    SubmissionStatus.SUBMITTED: _("Đã gửi"),
    SubmissionStatus.RETURNED: _("Bị trả lại"),
    SubmissionStatus.APPROVED: _("Đã duyệt"),
}
STATUS_BADGES = {
    NOT_STARTED: "secondary",
    SubmissionStatus.DRAFT: "info",
    SubmissionStatus.SUBMITTED: "primary",
    SubmissionStatus.RETURNED: "warning",
    SubmissionStatus.APPROVED: "success",
}


def as_period(period) -> Period:
    return period if isinstance(period, Period) else Period.parse(str(period))


def deadline_of(form: ReportForm, period) -> datetime.date:
    """The last day to submit: ``deadline_days`` after the period ends."""
    return as_period(period).end + datetime.timedelta(days=form.deadline_days)


def form_indicators_of(form: ReportForm) -> tuple[FormIndicator, ...]:
    """The form's columns in order, with their indicators and rating levels: the catalogue's copy
    (read-only; no query while the catalogue is unchanged)."""
    return _form_columns(form.pk)


@copies.cached_per_key("reports.form_columns", copies.CATALOGUE)
def _form_columns(form_id: int) -> tuple[FormIndicator, ...]:
    return tuple(
        FormIndicator.objects.filter(form_id=form_id).select_related("indicator__rating_scale").prefetch_related(
            Prefetch("indicator__rating_scale__levels", queryset=RatingLevel.objects.order_by("-rank"))
        )
    )


def row_units(form: ReportForm, submission_unit: Unit, period):
    """The units a form's rows are about: of the form's row kind, under the submitting unit, active at the period end.

    Residential areas are grouped by their commune as at the period end (ordered by commune, then code).
    """
    period = as_period(period)
    units = Unit.objects.within_on(submission_unit, period.end).filter(kind=form.row_kind).active_on(period.end)
    if form.row_kind == UnitKind.AREA:
        return units.with_commune_on(period.end).order_by("commune_then_code", "code")
    return units.order_by("code")


@dataclass
class GridRow:
    unit: Unit
    values: dict = field(default_factory=dict)  # indicator id → typed value
    previous: dict = field(default_factory=dict)  # indicator id → typed value of the period before
    changed: set = field(default_factory=set)  # indicator ids changed since approval

    @property
    def group(self):
        """The commune heading an area's row: its commune on the tree of the grid's period."""
        if self.unit.kind != UnitKind.AREA:
            return None
        return CommuneHeading(getattr(self.unit, "commune_then_id", None), getattr(self.unit, "commune_then_name", ""))


@dataclass(frozen=True)
class CommuneHeading:
    pk: int | None
    name: str


@dataclass
class Grid:
    form: ReportForm
    unit: Unit
    period: Period
    columns: list[FormIndicator]
    rows: list[GridRow]
    total_rows: int


def stored_values(form: ReportForm, unit_ids, indicator_ids, period: Period) -> dict:
    """{(unit id, indicator id): DataValue or PlanValue} for one period (one query)."""
    if form.kind == FormKind.PLAN:
        rows = PlanValue.objects.filter(unit_id__in=unit_ids, indicator_id__in=indicator_ids, year=period.year)
    else:
        rows = DataValue.objects.filter(
            unit_id__in=unit_ids, indicator_id__in=indicator_ids, period=str(period)
        ).select_related("rating_level")
    return {(row.unit_id, row.indicator_id): row for row in rows}


def typed_value(stored, indicator):
    """The typed value of a DataValue or PlanValue row for ``indicator``."""
    if stored is None:
        return None
    if isinstance(stored, PlanValue):
        return int(stored.value) if indicator.value_type == ValueType.INTEGER else stored.value
    return stored.typed_value(indicator.value_type)


def grid_rows(
    form: ReportForm, submission_unit: Unit, period, *, offset: int = 0, limit: int | None = None, total: int | None = None
) -> Grid:
    """The grid's rows with current and last period's values, in a constant number of queries (five or six).

    With ``limit``, one page of rows from ``offset``; ``total`` (all rows) is counted unless given.
    """
    period = as_period(period)
    columns = form_indicators_of(form)
    units_qs = row_units(form, submission_unit, period)
    units = list(units_qs[offset: offset + limit] if limit else units_qs)
    if total is None:
        total = len(units) if not limit or (offset == 0 and len(units) < limit) else units_qs.count()
    unit_ids = [unit.pk for unit in units]
    indicator_ids = [column.indicator_id for column in columns]
    current = stored_values(form, unit_ids, indicator_ids, period)
    previous_period = Period.year_of(period.year - 1) if form.kind == FormKind.PLAN else period.previous()
    previous = stored_values(form, unit_ids, indicator_ids, previous_period)
    rows = []
    for unit in units:
        row = GridRow(unit)
        for column in columns:
            key = (unit.pk, column.indicator_id)
            row.values[column.indicator_id] = typed_value(current.get(key), column.indicator)
            row.previous[column.indicator_id] = typed_value(previous.get(key), column.indicator)
            if getattr(current.get(key), "changed_since_approval", False):
                row.changed.add(column.indicator_id)
        rows.append(row)
    return Grid(form=form, unit=submission_unit, period=period, columns=columns, rows=rows, total_rows=total)


def due_periods(form: ReportForm, today: datetime.date | None = None, years: set[int] | None = None) -> list[Period]:
    """Every period of the form from its first year up to the current one within the plans' terms, latest first.

    ``years`` are the plans' years (:func:`programs.selectors.plan_years`), read when not given.
    """
    today = today or timezone.localdate()
    years = plan_years() if years is None else years
    last_year = min(today.year, form.last_applicable_year or today.year)
    periods = [
        period
        for year in range(form.first_year, last_year + 1)
        if (years is None or year in years) and form.applies_to_year(year)
        for period in Period.all_in_year(year, form.period_type)
        if period.start <= today
    ]
    return sorted(periods, key=lambda p: (p.end, p.start), reverse=True)


def period_entry_refusal(form: ReportForm, period: Period, today: datetime.date | None = None) -> str | None:
    """Why no draft of ``form`` may be opened for ``period``, or None when it may.

    A period opens within the form's years and an action plan's term, once it has begun (or up to
    ``form.early_entry_days`` before, for forms such as next year's plan).
    """
    today = today or timezone.localdate()
    if not form.applies_to_year(period.year):
        return gettext("Biểu mẫu “%(form)s” không áp dụng cho năm %(year)s.") % {"form": form, "year": period.year}
    years = plan_years()
    if years is not None and period.year not in years:
        return gettext("Năm %(year)s nằm ngoài nhiệm kỳ của Chương trình hành động.") % {"year": period.year}
    if period.start - datetime.timedelta(days=form.early_entry_days) > today:
        return gettext("Kỳ %(period)s chưa bắt đầu; chưa nhập được báo cáo cho kỳ này.") % {"period": period}
    return None


class _SubmissionStatus:
    """The status of an item's submission (NOT_STARTED when there is none), its label and badge."""

    submission: Submission | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else NOT_STARTED

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def badge(self):
        return STATUS_BADGES[self.status]


@dataclass
class InboxItem(_SubmissionStatus):
    form: ReportForm
    unit: Unit
    period: Period
    deadline: datetime.date
    submission: Submission | None
    days_overdue: int


@copies.cached("reports.report_forms")
def report_forms() -> tuple[ReportForm, ...]:
    """Every report form with its plan (without the plan's long texts), in the forms' order: the
    catalogue's copy (read-only)."""
    return tuple(ReportForm.objects.select_related("plan").defer(*PLAN_TEXTS_DEFERRED).order_by("order", "code"))


def inbox_unit_and_forms(officer) -> tuple[Unit, list[ReportForm]]:
    """The unit whose forms an officer handles, and those forms.

    Commune officers see their district's forms whose rows are communes or areas (they fill their own rows).
    """
    unit = officer.unit
    forms = report_forms()
    if officer.role == OfficerRole.COMMUNE_OFFICER:
        forms = [f for f in forms if f.row_kind in (UnitKind.COMMUNE, UnitKind.AREA)]
        if unit.district_id is not None:  # before the 2025 reform: the district submits
            unit = unit.district
    return unit, [f for f in forms if unit.kind in (f.submitter_kind, f.later_submitter_kind)]


def inbox_entries(unit: Unit, forms: list[ReportForm], today: datetime.date | None = None) -> list[tuple]:
    """(form, period) pairs due from ``unit``, latest first (one query, for the plans' terms): the
    periods ``unit`` submits (the form's submitter as at the period's end) while it is in force."""
    today = today or timezone.localdate()
    years = plan_years()
    pairs = [
        (form, period) for form in forms for period in due_periods(form, today, years)
        if form.submitter_kind_on(period.end) == unit.kind and unit.is_active_on(period.end)
    ]
    return sorted(pairs, key=lambda pair: (pair[1].end, -pair[0].order, pair[0].code), reverse=True)


def inbox_items(unit: Unit, pairs, today: datetime.date | None = None) -> list[InboxItem]:
    """Status, deadline and days overdue for one page of (form, period) pairs (one query)."""
    today = today or timezone.localdate()
    submissions = {
        (s.form_id, s.period): s
        for s in Submission.objects.filter(
            unit=unit, form__in={form.pk for form, _ in pairs}, period__in={str(p) for _, p in pairs}
        ).select_related("returned_by").order_by()  # into a dict: the model's ordering would join only to sort
    }
    items = []
    for form, period in pairs:
        submission = submissions.get((form.pk, str(period)))
        deadline = deadline_of(form, period)
        done = submission is not None and submission.status in COUNTED_STATUSES
        overdue = 0 if done or today <= deadline else (today - deadline).days
        items.append(InboxItem(form, unit, period, deadline, submission, overdue))
    return items


def returned_to(unit: Unit, forms: list[ReportForm]) -> list[Submission]:
    """Reports returned to ``unit`` and not yet resubmitted, most recently returned first (one query)."""
    return list(
        Submission.objects.filter(unit=unit, form__in=[f.pk for f in forms], status=SubmissionStatus.RETURNED)
        .select_related("form", "unit", "returned_by")
        .order_by("-returned_at", "pk")
    )


def review_queue(scope: Unit | None):
    """Submitted forms waiting for provincial staff, oldest first."""
    queue = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    if scope is not None:
        queue = queue.filter(unit__in=Unit.objects.within(scope))
    return queue.order_by("submitted_at", "pk")


@dataclass
class CompletenessRow(_SubmissionStatus):
    unit: Unit
    submission: Submission | None
    deadline: datetime.date

    @property
    def submitted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def on_time(self) -> bool | None:
        """Whether the (latest) submission came by the deadline; None when not submitted."""
        if not self.submitted or self.submission.submitted_at is None:
            return None
        return timezone.localdate(self.submission.submitted_at) <= self.deadline


@dataclass
class Completeness:
    form: ReportForm
    period: Period
    deadline: datetime.date
    rows: list[CompletenessRow]

    @property
    def submitted_count(self) -> int:
        return sum(row.submitted for row in self.rows)

    @property
    def approved_count(self) -> int:
        return sum(row.status == SubmissionStatus.APPROVED for row in self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.submitted_count / len(self.rows)) if self.rows else 0

    @property
    def missing(self) -> list[CompletenessRow]:
        return [row for row in self.rows if not row.submitted]


def completeness(form: ReportForm, period, scope: Unit | None) -> Completeness:
    """Each submitting unit's status for one form and period (two queries)."""
    period = as_period(period)
    units = Unit.objects.filter(kind=form.submitter_kind_on(period.end)).active_on(period.end).order_by("code")
    if scope is not None:
        units = units.filter(pk__in=Unit.objects.within_on(scope, period.end).values("pk"))
    units = list(units)
    submissions = {
        s.unit_id: s
        for s in Submission.objects.filter(form=form, period=str(period), unit__in=units).select_related(
            "submitted_by", "approved_by"
        )
    }
    deadline = deadline_of(form, period)
    return Completeness(form, period, deadline, [CompletenessRow(u, submissions.get(u.pk), deadline) for u in units])


def indicator_row_kinds(indicator) -> set[str]:
    """The unit kinds that can have values of ``indicator``: the row kinds of the data forms that list it."""
    return set(
        ReportForm.objects.filter(form_indicators__indicator=indicator, kind=FormKind.DATA)
        .values_list("row_kind", flat=True)
    )
