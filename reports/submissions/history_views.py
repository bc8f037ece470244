"""A submission's history and one cell's: changes of values and of status, newest first, paged.

The previous value of each record (what "Cũ" shows) comes from the database (LAG over the value's
own records), so a page reads only its own rows however long the history is; the steps of the
status are the history rows whose status differs from the row before, also picked in SQL.
"""
from __future__ import annotations

from types import SimpleNamespace

from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.http import Http404
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin
from mattran.models import Unit
from programs.models import RatingLevel
from reports.models import DataValue
from reports.submissions.validation import display_value
from reports.submissions.views import resolve_submission

HISTORY_PAGE_SIZE = 100  # value records per page
STEPS_SHOWN = 200  # the newest changes of status
VALUE_FIELDS = ("value_number", "value_bool", "value_date", "value_text", "rating_level_id")


def _before(field: str, partition: str | None = "id") -> Window:
    """The same field in the record before (by history date), within ``partition``."""
    return Window(
        Lag(field), partition_by=[F(partition)] if partition else None,
        order_by=[F("history_date").asc(), F("history_id").asc()],
    )


class _HistoryMixin(ScopedViewMixin):
    template_name = "reports/history.html"

    def page_of_changes(self, records):
        """One page of (record, old, new) changes, newest first; saves that changed nothing are left out."""
        records = records.annotate(**{f"before_{name}": _before(name) for name in VALUE_FIELDS}).order_by(
            "-history_date", "-history_id",
        )
        page = Paginator(records, HISTORY_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        levels = RatingLevel.objects.in_bulk({r.before_rating_level_id for r in rows} - {None})
        changes = []
        for record in rows:
            indicator = record.indicator
            before = SimpleNamespace(**{name: getattr(record, f"before_{name}") for name in VALUE_FIELDS})
            before.value_text = before.value_text or ""
            before.rating_level = levels.get(before.rating_level_id)
            new = DataValue.typed_value(record, indicator.value_type) if indicator else None
            old = DataValue.typed_value(before, indicator.value_type) if indicator else None
            if old == new and record.history_type != "-":
                continue  # saved again without a change of value ("∅ → ∅"): nothing to show
            changes.append({"record": record, "old": display_value(old), "new": display_value(new),
                            "kind": record.get_history_type_display()})
        return page, changes

    @staticmethod
    def steps(submission):
        """The submission's changes of status, newest first: who moved it to which status, when.

        Its other saves (a draft's values saved while it stays returned, say) are not steps; listed
        under the status they kept, they read as if the officer had returned the report.
        """
        rows = submission.history.annotate(status_before=_before("status", partition=None)).filter(
            Q(status_before__isnull=True) | ~Q(status_before=F("status")),
        )
        return list(rows.select_related("history_user").order_by("-history_date", "-history_id")[:STEPS_SHOWN])

    @staticmethod
    def records():
        return DataValue.history.select_related("history_user", "indicator", "unit", "rating_level")


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
        page, changes = self.page_of_changes(records)
        context.update(form=form, unit=unit, period=period, submission=submission, page=page,
                       changes=changes, steps=self.steps(submission))
        return context


class CellHistoryView(_HistoryMixin, TemplateView):
    """Every change of one cell (indicator, row unit, period)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit, period, submission = resolve_submission(self.request, kwargs["form"], kwargs["unit"], kwargs["period"])
        # The row the code names on the tree of the period, inside the grid and the reader's scope then.
        read_scope = submission.row_read_scope_for(self.request.user)
        row = Unit.objects.within_on(unit, period.end).within_on(read_scope, period.end).by_code(kwargs["row"], period.end)
        if row is None:
            raise Http404
        records = self.records().filter(indicator__code=kwargs["indicator"], unit=row, period=str(period))
        page, changes = self.page_of_changes(records)
        context.update(form=form, unit=unit, period=period, submission=submission, row=row, page=page, changes=changes)
        return context


