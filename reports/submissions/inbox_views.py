""""Việc cần làm": the officer's reports in the order of the work, and the provincial staff's review queue."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, is_province_staff, officer_of, scope_of
from reports.submissions import inbox, selectors

INBOX_PAGE_SIZE = 25
# What a row of the review queue shows (reports/templatetags/inbox_tags.py review_queue_rows).
QUEUE_ROW_FIELDS = (
    "period", "submitted_at", "form__code", "form__name", "unit__code", "unit__name",
    "submitted_by__username", "submitted_by__first_name", "submitted_by__last_name",
)


class InboxView(ScopedViewMixin, TemplateView):
    """Every form due from my unit, the work first, filtered by form, period and status; for provincial staff,
    the review queue filtered by district, form and period, oldest or newest first."""

    template_name = "reports/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, today = self.request.GET, timezone.localdate()
        officer = officer_of(self.request.user)
        if officer is not None:
            unit, forms_due = selectors.inbox_unit_and_forms(officer)
            listing = inbox.inbox_listing(unit, forms_due, params, today)
            page = Paginator(listing["items"], INBOX_PAGE_SIZE).get_page(self.request.GET.get("page"))
            context.update(listing, unit=unit, page=page, items=page.object_list)
        if is_province_staff(self.request.user):
            queue, queue_filters = inbox.review_queue(scope_of(self.request.user), params)
            # The page's ids first (the queue alone, sorted and cut), then those reports with their
            # form, unit and sender by key: sorting the joined rows hashed every unit of the scope.
            page = Paginator(queue.values_list("pk", flat=True), INBOX_PAGE_SIZE).get_page(self.request.GET.get("q"))
            ids = list(page.object_list)
            found = (
                queue.model.objects.select_related("form", "unit", "submitted_by").only(*QUEUE_ROW_FIELDS)
                .order_by().in_bulk(ids)  # only the columns a row shows; no model ordering (the ids' order is kept)
            )
            page.object_list = [found[pk] for pk in ids if pk in found]
            for submission in page.object_list:
                submission.waiting_days = inbox.waiting_days(submission, today)
            context.update(queue=page, queue_filters=queue_filters)
        return context
