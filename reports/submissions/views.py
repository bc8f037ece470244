"""Reporting pages: the officer's inbox, the entry grid and its workflow buttons, completeness, history."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, is_province_staff, officer_of, scope_of
from mattran.models import Unit
from programs.models import ValueType
from programs.selectors import current_plan
from reports.models import DataValue, ReportForm, Submission
from reports.periods import Period
from reports.submissions import selectors, services
from reports.submissions.validation import display_value

GRID_PAGE_SIZE = 200
INBOX_PAGE_SIZE = 25


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        error_messages={"required": gettext_lazy("Cần ghi lý do.")},
    )


def resolve_submission(request, form_code: str, unit_code: str, period_text: str):
    """(form, unit, period, submission or an unsaved draft) for the URL, or 404 when out of scope or malformed."""
    form = get_object_or_404(ReportForm, code=form_code)
    try:
        period = Period.parse(period_text)
        valid_type = period.type == form.period_type
    except ValueError:
        raise Http404 from None
    # The unit the code names on the period's last day, of the kind that submits that period.
    unit = Unit.objects.filter(kind=form.submitter_kind_on(period.end)).by_code(unit_code, period.end) if valid_type else None
    if unit is None or not valid_type or str(period) != period_text:
        raise Http404
    submission = (
        Submission.objects.select_related("submitted_by", "returned_by", "approved_by", "reopened_by", "updated_by")
        .filter(form=form, unit=unit, period=str(period))
        .first()
    )
    if submission is None:
        if selectors.period_entry_refusal(form, period):
            raise Http404  # a period not open for entry has no page until a draft exists
        submission = Submission(form=form, unit=unit, period=str(period), year=period.year, version=0)
    else:
        submission.form, submission.unit = form, unit
    if not submission.is_viewable_by(request.user):
        raise Http404
    return form, unit, period, submission


def cell_input(value, value_type: str) -> str:
    """A typed value as the grid's input shows it (plain numbers, dd/mm/yyyy, 1/0, level code)."""
    if value is None:
        return ""
    if value_type == ValueType.BOOLEAN:
        return "1" if value else "0"
    if value_type == ValueType.RATING:
        return value.code
    return display_value(value)


class InboxView(ScopedViewMixin, TemplateView):
    """"Việc cần làm": every form due from my unit, latest periods first; for provincial staff, the review queue."""

    template_name = "reports/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        officer = officer_of(self.request.user)
        if officer is not None:
            unit, forms_due = selectors.inbox_unit_and_forms(officer)
            pairs = selectors.inbox_entries(unit, forms_due)
            page = Paginator(pairs, INBOX_PAGE_SIZE).get_page(self.request.GET.get("page"))
            context.update(unit=unit, page=page, items=selectors.inbox_items(unit, page.object_list),
                           returned=selectors.returned_to(unit, forms_due))
        if is_province_staff(self.request.user):
            queue = Paginator(selectors.review_queue(scope_of(self.request.user)), INBOX_PAGE_SIZE)
            context["queue"] = queue.get_page(self.request.GET.get("q"))
        return context


class GridView(ScopedViewMixin, TemplateView):
    """The entry grid: rows are units, columns indicators; saving posts every editable cell of the page."""

    template_name = "reports/grid.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        scope_of(request.user)
        self.form, self.unit, self.period, self.submission = resolve_submission(
            request, kwargs["form"], kwargs["unit"], kwargs["period"]
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        submission = self.submission
        if not submission.is_editable_by(request.user):
            return self.render_to_response(
                self.get_context_data(refusal=[_("Báo cáo này không sửa được: %(status)s.") % {
                    "status": submission.get_status_display()}]),
                status=403,
            )
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = -1
        if submission.pk is None:
            try:
                submission = services.submission_get_or_create(
                    form=self.form, unit=self.unit, period=self.period, by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            expected = expected or 1
        values = {}
        for name, raw in request.POST.items():
            if name.startswith("v-"):
                try:
                    _prefix, unit_id, indicator_id = name.split("-")
                    values[(int(unit_id), int(indicator_id))] = raw
                except ValueError:
                    continue
        try:
            result = services.values_save(
                submission=submission, values=values, by=request.user, expected_version=expected,
                confirm_warnings=request.POST.get("confirm_warnings") == "1",
            )
        except ValidationError as error:
            self.submission = submission
            return self.render_to_response(
                self.get_context_data(refusal=error.messages, posted=values), status=409 if error.code == "stale" else 403
            )
        if result.saved:
            messages.success(
                request,
                _("Đã lưu nháp: %(n)s ô thay đổi.") % {"n": len(result.changes)} if result.changes
                else _("Không có ô nào thay đổi."),
            )
            page = request.POST.get("page")
            return redirect(f"{request.path}?page={page}" if page and page.isdigit() else request.path)
        self.submission = submission
        return self.render_to_response(self.get_context_data(result=result, posted=values), status=422 if result.errors else 200)

    def get_context_data(self, posted=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user, submission = self.request.user, self.submission
        read_scope = submission.row_read_scope_for(user)  # a commune officer: the own commune's rows only
        total = selectors.row_units(self.form, read_scope, self.period).count()
        paginator = Paginator(range(total), GRID_PAGE_SIZE)
        page = paginator.get_page(self.request.POST.get("page") or self.request.GET.get("page"))
        grid = selectors.grid_rows(
            self.form, read_scope, self.period, offset=(page.number - 1) * GRID_PAGE_SIZE, limit=GRID_PAGE_SIZE,
            total=total,
        )
        editable = submission.is_editable_by(user)
        row_scope = submission.row_scope_for(user)
        history_base = reverse("reports:cell_history", args=[self.form.code, self.unit.code, str(self.period), "IND", "ROW"])
        errors = {}
        result = kwargs.get("result")
        for problem in (result.errors + result.warnings) if result else []:
            key = (getattr(problem.unit, "pk", None), getattr(problem.indicator, "pk", None))
            errors.setdefault(key, []).append(problem.message)
        for column in grid.columns:
            column.levels = _levels_of(column)
            column.is_number = column.indicator.value_type in (ValueType.INTEGER, ValueType.DECIMAL)
        rows = []
        # The rows under the officer's own unit on the tree of the period (one query).
        inside = set() if row_scope.pk == self.unit.pk else set(
            Unit.objects.within_on(row_scope, self.period.end).values_list("pk", flat=True)
        )
        for index, row in enumerate(grid.rows):
            row_editable = editable and (row_scope.pk == self.unit.pk or row.unit.pk in inside)
            cells = []
            for col, column in enumerate(grid.columns):
                indicator = column.indicator
                key = (row.unit.pk, indicator.pk)
                value = row.values[indicator.pk]
                cells.append({
                    "name": f"v-{row.unit.pk}-{indicator.pk}",
                    "col": col,
                    "type": indicator.value_type,
                    "input": posted[key] if posted and key in posted else cell_input(value, indicator.value_type),
                    "previous": display_value(row.previous[indicator.pk]),
                    "changed": indicator.pk in row.changed,
                    "problems": errors.get(key, []),
                    "levels": column.levels,
                    "history": history_base.replace("/IND/ROW/", f"/{indicator.code}/{row.unit.code}/"),
                })
            rows.append({"unit": row.unit, "group": row.group, "index": index, "editable": row_editable, "cells": cells})
        context.update(
            form=self.form, unit=self.unit, period=self.period, submission=submission, grid=grid, rows=rows,
            page=page, editable=editable, any_editable=any(r["editable"] for r in rows),
            deadline=selectors.deadline_of(self.form, self.period),
            can_submit=submission.pk is not None and submission.is_submittable_by(user),
            can_return=submission.pk is not None and submission.can_return(user),
            can_approve=submission.pk is not None and submission.can_approve(user),
            can_reopen=submission.pk is not None and submission.can_reopen(user),
            result=result, refusal=kwargs.get("refusal"),
            status_label=selectors.STATUS_LABELS[submission.status if submission.pk else selectors.NOT_STARTED],
            other_errors=[str(p) for p in (result.errors if result else []) if getattr(p.unit, "pk", None) is None],
            bool_choices=[("1", _("Có")), ("0", _("Không"))],
            grid_messages={
                "not_number": _("Không phải là số (ví dụ: 1234 hoặc 1.234,5)."),
                "not_integer": _("Phải là số nguyên."),
                "negative": _("Không được âm."),
                "not_date": _("Ngày phải có dạng ngày/tháng/năm, ví dụ 15/11/2019."),
                "bad_date": _("Ngày này không có thật (tháng không có ngày đó)."),
                "no_such_choice": _("Không có lựa chọn này."),
            },
        )
        return context


def _levels_of(column):
    scale = column.indicator.rating_scale
    return list(scale.levels.all()) if scale else []


class _ActionView(ScopedViewMixin, View):
    """POST one workflow step on the submission of the URL, then back to the grid."""

    needs_reason = False
    # Review steps carry the version the reviewer's page showed; a stale page is refused.
    carries_version = False

    def post(self, request, form, unit, period):
        _form, _unit, _period, submission = resolve_submission(request, form, unit, period)
        if submission.pk is None:
            raise Http404
        grid_url = reverse("reports:grid", args=[form, unit, period])
        kwargs = {"submission": submission, "by": request.user}
        if self.carries_version:
            try:
                kwargs["expected_version"] = int(request.POST.get("version", ""))
            except ValueError:
                messages.error(request, _("Trang đã cũ (không rõ phiên bản báo cáo bạn đã xem); hãy tải lại trang."))
                return redirect(grid_url)
        if self.needs_reason:
            reason_form = ReasonForm(request.POST)
            if not reason_form.is_valid():
                messages.error(request, _("Cần ghi lý do."))
                return redirect(grid_url)
            kwargs["reason"] = reason_form.cleaned_data["reason"]
        try:
            self.act(**kwargs)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(grid_url)
        messages.success(request, self.done_message)
        return redirect(grid_url)


class SubmitView(_ActionView):
    act = staticmethod(services.submission_submit)
    done_message = gettext_lazy("Đã gửi báo cáo lên tỉnh.")


class ReturnView(_ActionView):
    carries_version = True
    needs_reason = True
    act = staticmethod(services.submission_return)
    done_message = gettext_lazy("Đã trả lại báo cáo.")


class ApproveView(_ActionView):
    carries_version = True
    act = staticmethod(services.submission_approve)
    done_message = gettext_lazy("Đã duyệt báo cáo.")


class ReopenView(_ActionView):
    carries_version = True
    needs_reason = True
    act = staticmethod(services.submission_reopen)
    done_message = gettext_lazy("Đã mở lại báo cáo.")


class CompletenessView(ScopedViewMixin, TemplateView):
    """For provincial staff: each submitting unit's status for one form and period."""

    template_name = "reports/completeness.html"

    def get_context_data(self, **kwargs):
        if not is_province_staff(self.request.user):
            raise Http404
        context = super().get_context_data(**kwargs)
        forms_list = list(ReportForm.objects.select_related("plan"))
        if not forms_list:
            return context
        # By default a form of the plan in force (its term holds today), not one of a closed plan.
        plan = current_plan(timezone.localdate())
        default = next((f for f in forms_list if plan is not None and f.plan_id == plan.pk), forms_list[0])
        form = next((f for f in forms_list if f.code == self.request.GET.get("form")), default)
        periods = selectors.due_periods(form)
        try:
            period = Period.parse(self.request.GET["period"]) if self.request.GET.get("period") else periods[0]
            if period.type != form.period_type:
                period = periods[0]
        except (ValueError, IndexError):
            period = periods[0] if periods else Period.year_of(form.first_year)
        context.update(
            forms=forms_list, form=form, periods=periods[:60], period=period,
            report=selectors.completeness(form, period, scope_of(self.request.user)),
        )
        return context


class _HistoryMixin(ScopedViewMixin):
    template_name = "reports/history.html"

    @staticmethod
    def changes(records):
        """Pair each history record with the one before it: (record, old, new), newest first."""
        previous, out = {}, []
        for record in records:
            indicator = record.indicator
            new = DataValue.typed_value(record, indicator.value_type) if indicator else None
            old = previous.get(record.id)
            previous[record.id] = new
            if old == new and record.history_type != "-":
                continue  # saved again without a change of value ("∅ → ∅"): nothing to show
            out.append({"record": record, "old": display_value(old), "new": display_value(new),
                        "kind": record.get_history_type_display()})
        return sorted(out, key=lambda change: (change["record"].history_date, change["record"].history_id), reverse=True)

    @staticmethod
    def steps(submission):
        """The submission's changes of status, newest first: who moved it to which status, when.

        Its other saves (a draft's values saved while it stays returned, say) are not steps; listed
        under the status they kept, they read as if the officer had returned the report.
        """
        rows = submission.history.select_related("history_user").order_by("history_date", "history_id")[:2000]
        steps, status = [], None
        for row in rows:
            if row.status != status:
                steps.append(row)
                status = row.status
        return steps[::-1][:200]

    @staticmethod
    def records():
        return DataValue.history.select_related("history_user", "indicator", "unit", "rating_level").order_by(
            "id", "history_date", "history_id"
        )


class HistoryView(_HistoryMixin, TemplateView):
    """Every change of a submission's values and of its status."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit, period, submission = resolve_submission(self.request, kwargs["form"], kwargs["unit"], kwargs["period"])
        if submission.pk is None:
            raise Http404
        records = self.records().filter(submission_id=submission.pk)
        read_scope = submission.row_read_scope_for(self.request.user)
        if read_scope != submission.unit:
            records = records.filter(unit_id__in=Unit.objects.within_on(read_scope, period.end).values("pk"))
        records = records[:2000]
        context.update(form=form, unit=unit, period=period, submission=submission,
                       changes=self.changes(records), steps=self.steps(submission))
        return context


class CellHistoryView(_HistoryMixin, TemplateView):
    """Every change of one cell (indicator, row unit, period)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit, period, submission = resolve_submission(self.request, kwargs["form"], kwargs["unit"], kwargs["period"])
        row = Unit.objects.filter(code=kwargs["row"]).first()
        placed = Unit.objects.within_on(unit, period.end).within_on(submission.row_read_scope_for(self.request.user), period.end)
        if row is None or not placed.filter(pk=row.pk).exists():
            raise Http404
        records = self.records().filter(indicator__code=kwargs["indicator"], unit=row, period=str(period))
        context.update(form=form, unit=unit, period=period, submission=submission, row=row,
                       changes=self.changes(records))
        return context
