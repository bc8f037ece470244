"""Reporting pages: the officer's inbox, the entry grid and its workflow buttons, completeness (history: history_views)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, is_province_staff, scope_of
from mattran.models import Unit
from programs.selectors import current_plan
from reports.models import ReportForm, Submission
from reports.periods import Period
from reports.submissions import grid_page, selectors, services


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        error_messages={"required": gettext_lazy("Cần ghi lý do.")},
    )


# The people a submission page names (who submitted, returned, approved, reopened, last saved).
SUBMISSION_PEOPLE = ("submitted_by", "returned_by", "approved_by", "reopened_by", "updated_by")


def resolve_submission(request, form_code: str, unit_code: str, period_text: str, people=SUBMISSION_PEOPLE):
    """(form, unit, period, submission or an unsaved draft) for the URL, or 404 when out of scope or malformed.

    ``people``: the submission's users read with it (each costs a join and a model; the others are
    read when used)."""
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
        Submission.objects.select_related(*people)
        .filter(form=form, unit=unit, period=str(period))
        .order_by()  # one at most (unique): the model's ordering would join the form and unit only to sort
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




class GridView(ScopedViewMixin, TemplateView):
    """The entry grid: rows are units, columns indicators; saving posts every editable cell of the page.

    "Gửi báo cáo" posts the same form with ``intent=submit``: the cells are saved first and the report
    goes up only when that save succeeds, so a refused edit is never left behind by a submission.
    """

    template_name = "reports/grid.html"
    submit_after_save = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        scope_of(request.user)
        # The page names who returned or reopened the report; a save that succeeds redirects and
        # names nobody (a refused one reads them when it shows the banner).
        people = () if request.method == "POST" else ("returned_by", "reopened_by")
        self.form, self.unit, self.period, self.submission = resolve_submission(
            request, kwargs["form"], kwargs["unit"], kwargs["period"], people=people,
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        submission = self.submission
        submitting = self.submit_after_save or request.POST.get("intent") == "submit"
        not_sent = [_("Chưa gửi báo cáo: các thay đổi chưa lưu được.")] if submitting else []
        if not submission.is_editable_by(request.user):
            return self.render_to_response(
                self.get_context_data(refusal=not_sent + [_("Báo cáo này không sửa được: %(status)s.") % {
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
        values = posted_cells(request.POST)
        try:
            result = services.values_save(
                submission=submission, values=values, by=request.user, expected_version=expected,
                confirm_warnings=request.POST.get("confirm_warnings") == "1",
            )
        except ValidationError as error:
            self.submission = submission
            return self.render_to_response(
                self.get_context_data(refusal=not_sent + error.messages, posted=values),
                status=409 if error.code == "stale" else 403,
            )
        self.submission = submission
        if not result.saved:
            return self.render_to_response(
                self.get_context_data(result=result, posted=values, refusal=not_sent or None),
                status=422 if result.errors or not_sent else 200,
            )
        if result.changes or not submitting:
            messages.success(
                request,
                _("Đã lưu nháp: %(n)s ô thay đổi.") % {"n": len(result.changes)} if result.changes
                else _("Không có ô nào thay đổi."),
            )
        grid_url = reverse("reports:grid", args=[self.form.code, self.unit.code, str(self.period)])
        page = request.POST.get("page")
        here = f"{grid_url}?page={page}" if page and page.isdigit() and page != "1" else grid_url
        if submitting:
            submission_act(request, services.submission_submit, SubmitView.done_message, submission=submission,
                           by=request.user)
        return redirect(here)

    def get_context_data(self, posted=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(grid_page.context(self.request, self.form, self.unit, self.period, self.submission,
                                         posted=posted, result=kwargs.get("result")))
        context["refusal"] = kwargs.get("refusal")
        return context


def posted_cells(data) -> dict:
    """{(unit id, indicator id): raw} from the grid's ``v-<unit>-<indicator>`` fields."""
    values = {}
    for name, raw in data.items():
        if name.startswith("v-"):
            try:
                _prefix, unit_id, indicator_id = name.split("-")
                values[(int(unit_id), int(indicator_id))] = raw
            except ValueError:
                continue
    return values


def submission_act(request, act, done_message, **kwargs) -> bool:
    """Run one workflow step; its refusal or success becomes a message. Whether it was done."""
    try:
        act(**kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, done_message)
    return True


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
        submission_act(request, self.act, self.done_message, **kwargs)
        return redirect(grid_url)


class SubmitView(_ActionView):
    """Send the saved report up; a POST that carries cells saves them first, as the grid's own button does."""

    act = staticmethod(services.submission_submit)
    done_message = gettext_lazy("Đã gửi báo cáo lên tỉnh.")

    def post(self, request, form, unit, period):
        if any(name.startswith("v-") for name in request.POST):
            return GridView.as_view(submit_after_save=True)(request, form=form, unit=unit, period=period)
        return super().post(request, form, unit, period)


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
