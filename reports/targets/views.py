"""Targets pages: the year's board for the officer's unit, drill-down, the units behind a percentage."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, get_visible_unit_or_404, is_province_staff
from mattran.models import Unit, UnitKind
from programs.models import Target
from reports.constants import RUN_KIND, TREND_YEARS, default_year, year_end
from reports.models import ComputationRun
from reports.targets import names, runs, selectors
from reports.targets.judgement import judge
from reports.targets.sql import target_counts_recut

MIN_YEAR, MAX_YEAR = 2000, 2100
RECUT = "hien-nay"  # ?theo=hien-nay: a year's figures on today's tree


def years_shown(targets, today) -> list[int]:
    """The trend years and every year up to today that some plan's target applies to (2025, 2026…)."""
    return sorted({*TREND_YEARS, *(y for t in targets for y in range(t.first_year, min(t.last_year, today.year) + 1))})


class TargetScopeMixin(ScopedViewMixin):
    """The year from the URL and the unit (``?unit=`` within scope, else the officer's own unit)."""

    def get_year(self) -> int:
        year = self.kwargs["year"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        return year

    def get_unit(self, code=None, day=None) -> Unit:
        """The unit a code names on ``day`` (default: the last day of the year looked at)."""
        code = code or self.request.GET.get("unit")
        if code:
            return get_visible_unit_or_404(self.request.user, day=day or year_end(self.get_year()), code=code)
        if self.scope is not None:
            return self.scope
        unit = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
        if unit is None:
            raise Http404
        return unit


class TargetIndexView(ScopedViewMixin, View):
    def get(self, request):
        return redirect("targets:year", year=default_year())


class TargetYearView(TargetScopeMixin, TemplateView):
    template_name = "reports/targets/year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        # "theo địa giới hiện nay": the year's figures re-cut on today's tree, for a unit of today.
        today = timezone.localdate()
        recut = self.request.GET.get("theo") == RECUT and year_end(year) < today
        unit = self.get_unit(day=today if recut else None)
        context.update(selectors.target_board(unit, year))
        if recut:
            levels = UnitKind.values[UnitKind.values.index(unit.kind):]
            context["recut"] = {"day": today, "rows": [
                (row["target"], target_counts_recut(row["target"], year, unit, today))
                for row in context["rows"] if row["applies"] and set(row["target"].counted_kinds) & set(levels)
            ]}
        elif year_end(year) < today and unit.is_active_on(today) and not unit.is_active_on(year_end(year)):
            context["recut_offer"] = RECUT  # a unit of today that did not exist then: offer its re-cut figures
        context.update(
            year=year, unit=unit, years=years_shown(context.pop("all_targets"), today),
            can_recompute=is_province_staff(self.request.user),
            up=unit.parent if unit.parent_id and unit != self.scope else None,
        )
        return context


class NamesFilterForm(forms.Form):
    """The names page's GET filters: how units stand, a district or commune within the page's unit, a name."""

    trang_thai = forms.ChoiceField(label=_l("Tình trạng"), required=False, choices=[
        ("", _l("Tất cả")), (names.MET, _l("Đạt điều kiện")), (names.NOT_MET, _l("Không đạt điều kiện")),
        (names.NOT_REPORTED, _l("Chưa báo cáo")),
    ])
    noi = forms.ChoiceField(label=_l("Đơn vị"), required=False)
    xa = forms.ChoiceField(label=_l("Xã"), required=False)
    ten = forms.CharField(label=_l("Tên chứa"), required=False, max_length=100, strip=True)

    def __init__(self, data, *, unit: Unit, year: int):
        super().__init__(data)
        invalid = _l("Không có đơn vị này trong %(unit)s; hãy chọn trong danh sách.")
        children = list(selectors.children_of(unit, year).only("code", "name", "kind"))
        self.fields["noi"].choices = [("", _l("Tất cả"))] + [(c.code, c.name) for c in children]
        self.fields["noi"].error_messages["invalid_choice"] = invalid % {"unit": unit.name}
        kinds = {c.kind for c in children}
        if len(kinds) == 1:  # districts, or communes; both after 2025 (communes directly under the province)
            self.fields["noi"].label = UnitKind(kinds.pop()).label
        self.units = {c.code: c for c in children}
        chosen = self.units.get(self.data.get("noi") or "")
        self.communes = {}
        self.fields["xa"].error_messages["invalid_choice"] = invalid % {"unit": unit.name}
        if chosen is not None and chosen.kind == UnitKind.DISTRICT:
            self.communes = {c.code: c for c in selectors.children_of(chosen, year).only("code", "name", "kind")}
            self.fields["xa"].error_messages["invalid_choice"] = invalid % {"unit": chosen.name}
        self.fields["xa"].choices = [("", _l("Tất cả"))] + [(c.code, c.name) for c in self.communes.values()]
        self.fields["trang_thai"].error_messages["invalid_choice"] = _l("Tình trạng không hợp lệ; hãy chọn trong danh sách.")
        self.fields["ten"].error_messages["max_length"] = _l("Tên tìm kiếm dài tối đa %(limit_value)d ký tự.")

    def within(self) -> Unit | None:
        """The district or commune chosen (valid choices only), else None."""
        self.is_valid()
        data = self.cleaned_data  # the fields that are valid: a bad one does not drop the others
        return self.communes.get(data.get("xa") or "") or self.units.get(data.get("noi") or "")


class TargetUnitsView(TargetScopeMixin, TemplateView):
    """The residential areas (or committees) that meet, do not meet, or have not reported: filtered and paged."""

    template_name = "reports/targets/units.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, unit = self.get_year(), self.get_unit(self.kwargs["unit"])
        target = get_object_or_404(Target.objects.select_related("rating_level", "indicator"), code=self.kwargs["target"])
        if not target.applies_to(year):
            raise Http404
        form = NamesFilterForm(self.request.GET, unit=unit, year=year)
        form.is_valid()  # a bad field is named on the page and ignored; the valid ones still apply
        data = form.cleaned_data
        units = names.counted_units(target, unit, year, within=form.within(), name=data.get("ten", ""))
        counts = names.status_counts(units)
        status = data.get("trang_thai", "")
        if status:
            units = units.filter(status=status)
        total = counts[status] if status else sum(counts.values())
        ids = units.values_list("pk", flat=True)
        page = KnownCountPaginator(ids, self.paginate_by, total).get_page(self.request.GET.get("page"))
        results = {r.year: r for r in target.results.filter(unit=unit, year__in={year, target.due_year or year})}
        result = results.get(year)
        context.update(
            year=year, unit=unit, target=target, result=result, form=form, page=page,
            rows=names.page_rows(target, unit, year, page.object_list), counts=counts, total=sum(counts.values()),
            status=status, statuses=[
                (key, label, counts[key]) for key, label in form.fields["trang_thai"].choices if key
            ],
            filtered=bool(form.within() or data.get("ten")),
            judgement=judge(target, result, year, results.get(target.due_year)),
        )
        return context


class KnownCountPaginator(Paginator):
    """A paginator told its count (already known from the counts by status): no COUNT query of its own."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


class RecomputeView(ScopedViewMixin, View):
    """Provincial staff ask for a recompute of a year; the page then polls the status endpoint."""

    def post(self, request, year):
        if not is_province_staff(request.user):
            raise PermissionDenied
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        queued = runs.recompute_requested(year=year)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"queued": queued, "status_url": reverse("targets:status", args=[year])})
        if queued:
            messages.success(request, _("Đã gửi yêu cầu tính lại năm %(year)s.") % {"year": year})
        else:
            messages.warning(request, _("Chưa gửi được yêu cầu tính lại; hệ thống sẽ tự tính lại sau."))
        return redirect(f"{reverse('targets:year', args=[year])}?{request.GET.urlencode()}")


class RecomputeStatusView(ScopedViewMixin, View):
    """JSON progress of the year's run, for the progress bar."""

    def get(self, request, year):
        run = ComputationRun.objects.filter(kind=RUN_KIND, year=year).first()
        if run is None:
            return JsonResponse({"status": None, "progress": 0, "total": 0, "percent": 0, "dirty": False, "finished_at": None})
        percent = round(100 * run.progress / run.total) if run.total else 0
        return JsonResponse({
            "status": run.status, "status_label": run.get_status_display(), "progress": run.progress,
            "total": run.total, "percent": percent, "dirty": run.dirty,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        })
