""""Việc cần làm" and the review queue: what is listed, in which order, and the filters over it.

The officer's inbox lists every (form, period) due from the unit (``selectors.inbox_entries``) with
its status, grouped so the work comes first: returned reports, then those due now (deadline not
passed, drafts first), then overdue ones (latest period first), then those waiting for review.
Approved reports leave "Việc cần làm" for the "Đã duyệt" tab. Filters are GET parameters,
validated by forms: a bad value is named in a message and ignored, never an error page.
Every read is a fixed number of queries, whatever the history.
"""
from __future__ import annotations

import datetime
from functools import cached_property

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mattran import copies
from mattran.collation import vietnamese_key
from mattran.models import ANCESTOR_FIELD, Unit, UnitKind
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.periods import Period
from reports.submissions import selectors

NOT_STARTED = selectors.NOT_STARTED
TODO, ALL = "todo", "all"
# Status filter: value → (label, statuses shown).
STATUS_FILTERS = {
    TODO: (_("Cần làm"), {NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED, SubmissionStatus.SUBMITTED}),
    "returned": (_("Bị trả lại"), {SubmissionStatus.RETURNED}),
    "draft": (_("Đang soạn"), {SubmissionStatus.DRAFT}),
    "not_started": (_("Chưa nhập"), {NOT_STARTED}),
    "submitted": (_("Chờ duyệt"), {SubmissionStatus.SUBMITTED}),
    "approved": (_("Đã duyệt"), {SubmissionStatus.APPROVED}),
    ALL: (_("Tất cả"), None),
}
# Groups of the list, in order.
RETURNED, DUE, OVERDUE, WAITING, APPROVED = range(5)
GROUP_LABELS = {
    RETURNED: _("Bị trả lại — cần sửa và gửi lại"),
    DUE: _("Đến hạn nộp"),
    OVERDUE: _("Quá hạn, chưa gửi"),
    WAITING: _("Đã gửi, chờ duyệt"),
    APPROVED: _("Đã duyệt"),
}


def period_filter(text: str) -> tuple[str, str]:
    """("year", "2019") for a year, ("period", "2019-05") for one period; ValueError with a Vietnamese message."""
    period = Period.parse(text)
    return ("year", str(period.year)) if str(period) == str(period.year) else ("period", str(period))


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return period_filter(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class FilterForm(forms.Form):
    """A GET filter: validated once; a bad value is ignored (``value`` gives None) and named in ``messages``."""

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @cached_property
    def values(self) -> dict:
        """Every field's valid value (None when absent or bad), for the template (read once per option drawn)."""
        return {name: self.value(name) for name in self.fields}

    @property
    def messages(self) -> list[str]:
        return [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]


class InboxFilter(FilterForm):
    """The inbox's filters: form, period (a year or one period) and status."""

    form = forms.ChoiceField(label=_("Biểu mẫu"), required=False)
    period = PeriodField(label=_("Kỳ"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[(key, label) for key, (label, _statuses) in STATUS_FILTERS.items()])

    def __init__(self, data, report_forms):
        super().__init__(data)
        self.fields["form"].choices = [("", _("Mọi biểu mẫu"))] + [(f.code, f.name) for f in report_forms]
        self.fields["form"].error_messages["invalid_choice"] = _("Không có biểu mẫu “%(value)s” trong việc của đơn vị.")
        self.fields["status"].error_messages["invalid_choice"] = _("Không có trạng thái “%(value)s”.")


def _matches_period(item, wanted) -> bool:
    if wanted is None:
        return True
    kind, text = wanted
    return str(item.period.year) == text if kind == "year" else str(item.period) == text


def group_of(item, today: datetime.date) -> int:
    status = item.status
    if status == SubmissionStatus.RETURNED:
        return RETURNED
    if status == SubmissionStatus.SUBMITTED:
        return WAITING
    if status == SubmissionStatus.APPROVED:
        return APPROVED
    return DUE if item.deadline >= today else OVERDUE


def sort_key(item, today: datetime.date):
    """Returned (latest return first), due (soonest deadline, drafts first), overdue and the rest (latest period first)."""
    group = group_of(item, today)
    if group == RETURNED:
        returned_at = item.submission.returned_at
        return (group, -(returned_at.timestamp() if returned_at else 0), -item.period.end.toordinal(), item.form.order)
    if group == DUE:
        return (group, item.deadline.toordinal(), item.status != SubmissionStatus.DRAFT, item.form.order)
    return (group, -item.period.end.toordinal(), item.status != SubmissionStatus.DRAFT, item.form.order)


def inbox_listing(unit: Unit, report_forms: list[ReportForm], params, today: datetime.date | None = None) -> dict:
    """The officer's inbox filtered by ``params`` (GET): items in order, counts per status tab, the filter form.

    Three queries whatever the history: the plans' years, the unit's submissions, nothing per item.
    """
    today = today or timezone.localdate()
    pairs = selectors.inbox_entries(unit, report_forms, today)
    years = sorted({period.year for _form, period in pairs}, reverse=True)
    filters = InboxFilter(params, report_forms)
    form_code, wanted_period, status = filters.value("form"), filters.value("period"), filters.value("status") or TODO
    if form_code:
        pairs = [pair for pair in pairs if pair[0].code == form_code]
    items = [item for item in selectors.inbox_items(unit, pairs, today) if _matches_period(item, wanted_period)]
    counts = {key: sum(1 for item in items if statuses is None or item.status in statuses)
              for key, (_label, statuses) in STATUS_FILTERS.items()}
    shown = STATUS_FILTERS[status][1]
    items = sorted((item for item in items if shown is None or item.status in shown), key=lambda item: sort_key(item, today))
    for item in items:
        item.group = group_of(item, today)
        item.group_label = GROUP_LABELS[item.group]
    return {
        "items": items, "filters": filters, "status": status, "years": years, "today": today, "total": counts[ALL],
        "tabs": [(key, label, counts[key]) for key, (label, _statuses) in STATUS_FILTERS.items()],
    }


# The review queue of provincial staff.
OLDEST, NEWEST = "oldest", "newest"


class QueueFilter(FilterForm):
    """The review queue's filters (prefixed ``q_`` beside the inbox's own): district, form, period, age order."""

    q_district = forms.ChoiceField(label=_("Huyện"), required=False)
    q_form = forms.ChoiceField(label=_("Biểu mẫu"), required=False)
    q_period = PeriodField(label=_("Kỳ"), required=False)
    q_sort = forms.ChoiceField(label=_("Thứ tự"), required=False,
                               choices=[(OLDEST, _("Chờ lâu nhất trước")), (NEWEST, _("Mới gửi trước"))])

    def __init__(self, data, districts, report_forms):
        super().__init__(data)
        self.fields["q_district"].choices = [("", _("Mọi huyện"))] + [(d.code, d.name) for d in districts]
        self.fields["q_form"].choices = [("", _("Mọi biểu mẫu"))] + [(f.code, f.name) for f in report_forms]
        self.fields["q_district"].error_messages["invalid_choice"] = _("Không có huyện “%(value)s” trong phạm vi của bạn.")
        self.fields["q_form"].error_messages["invalid_choice"] = _("Không có biểu mẫu “%(value)s”.")
        self.fields["q_sort"].error_messages["invalid_choice"] = _("Không có thứ tự “%(value)s”.")

    @property
    def active(self) -> bool:
        return any(self.value(name) for name in ("q_district", "q_form", "q_period"))


@copies.cached_per_key("reports.districts_within")
def districts_within(scope_id: int | None, scope_kind: str | None) -> tuple[Unit, ...]:
    """Every district in the subtree of ``scope_id`` (everywhere: None), by Vietnamese name: the tree's
    copy (read-only)."""
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT)
    if scope_id is not None:
        districts = districts.filter(**{ANCESTOR_FIELD[scope_kind]: scope_id})
    return tuple(sorted(districts, key=lambda d: vietnamese_key(d.name)))


def review_queue(scope: Unit | None, params):
    """Submitted reports waiting for review in ``scope``, filtered and ordered by ``params``: (queryset, filter form).

    No query besides the page: the filter's districts and forms are the tree's and the catalogue's copies.
    """
    districts = districts_within(scope.pk if scope is not None else None, scope.kind if scope is not None else None)
    filters = QueueFilter(params, districts, selectors.report_forms())
    queue = selectors.review_queue(scope)
    if filters.value("q_district"):
        district = next(d for d in districts if d.code == filters.value("q_district"))
        queue = queue.filter(unit__in=Unit.objects.within(district))
    if filters.value("q_form"):
        queue = queue.filter(form__code=filters.value("q_form"))
    if filters.value("q_period"):
        kind, text = filters.value("q_period")
        queue = queue.filter(year=int(text)) if kind == "year" else queue.filter(period=text)
    if filters.value("q_sort") == NEWEST:
        queue = queue.order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    else:
        queue = queue.order_by(F("submitted_at").asc(nulls_first=True), "pk")
    return queue, filters


def waiting_days(submission: Submission, today: datetime.date) -> int | None:
    if submission.submitted_at is None:
        return None
    return (today - timezone.localdate(submission.submitted_at)).days
