"""Targets pages: the year's board for the officer's unit, drill-down, the units behind a percentage."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, get_visible_unit_or_404, is_province_staff
from mattran.models import Unit, UnitKind
from programs.models import Target
from reports.constants import RUN_KIND, TREND_YEARS, default_year, year_end
from reports.models import ComputationRun
from reports.targets import runs, selectors
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


class TargetUnitsView(TargetScopeMixin, TemplateView):
    """The residential areas (or committees) that meet, do not meet, or have not reported."""

    template_name = "reports/targets/units.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, unit = self.get_year(), self.get_unit(self.kwargs["unit"])
        target = get_object_or_404(Target.objects.select_related("rating_level", "indicator"), code=self.kwargs["target"])
        if not target.applies_to(year):
            raise Http404
        rows = selectors.counted_units(target, unit, year)
        results = {r.year: r for r in target.results.filter(unit=unit, year__in={year, target.due_year or year})}
        result = results.get(year)
        groups = [
            (selectors.MET, _("Đạt điều kiện"), [r for r in rows if r.status == selectors.MET]),
            (selectors.NOT_MET, _("Không đạt điều kiện"), [r for r in rows if r.status == selectors.NOT_MET]),
            (selectors.NOT_REPORTED, _("Chưa báo cáo"), [r for r in rows if r.status == selectors.NOT_REPORTED]),
        ]
        context.update(
            year=year, unit=unit, target=target, result=result, groups=groups, total=len(rows),
            judgement=judge(target, result, year, results.get(target.due_year)),
        )
        return context


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
