"""Dashboard and figure pages: scoped to the user's subtree, read from precomputed rows only."""
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from mattran.access import ScopedViewMixin, visible_units
from mattran.models import Officer

from . import cache as dashboard_cache
from . import selectors_dashboard as selectors
from .exports import PeriodicReportGenerator
from .exports.forms import ExportForm
from .exports.services import export_job_create
from .models_dashboard import ExportJob, ExportStatus


class DashboardContextMixin(ScopedViewMixin):
    """The root unit (``?unit=``, within scope) and year (``?year=``) every figure page is about."""

    def get_root_and_year(self):
        root = selectors.root_unit_for(self.request.user, self.request.GET.get("unit"))
        year = selectors.parse_year(self.request.GET.get("year"))
        return root, year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        root, year = self.get_root_and_year()
        context.update(root=root, year=year, years=selectors.TREND_YEARS)
        return context


def _load_officer_with_unit(user) -> None:
    """Fetch the user's Officer and unit in one query before ``scope_of`` would take two."""
    if user.is_authenticated and "officer" not in user._state.fields_cache:
        officer = Officer.objects.select_related("unit").filter(user_id=user.pk).first()
        if officer is not None:
            user.officer = officer


class DashboardView(DashboardContextMixin, TemplateView):
    """The dashboard, cached at two levels under the data version (see ``reports.cache``).

    * The whole page, per user: served before anything else is read (a hit costs the session, the
      user and the data version). It is stored only after the view resolved its unit within the
      user's scope, and served to that user only, with a fresh CSRF token.
    * Its main part, per scope unit, year and language, shared by every user who may see that unit:
      the root is resolved within the user's scope first (404 otherwise).
    """

    template_name = "reports/dashboard/index.html"
    main_template_name = "reports/dashboard/_main.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            response = dashboard_cache.cached_response(request)
            if response is not None:
                return response
        _load_officer_with_unit(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.version = dashboard_cache.current_version()  # read before any figure is
        response = super().get(request, *args, **kwargs)
        response.render()
        dashboard_cache.store_response(request, response, self.version)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures: dict = {}

        def render() -> str:
            figures.update(selectors.dashboard(context["root"], context["year"], today=timezone.localdate()))
            return render_to_string(self.main_template_name, {**context, **figures}, request=self.request)

        html, context["cache_hit"] = dashboard_cache.cached_page(
            name="index", unit_id=context["root"].pk, year=context["year"],
            unit_param=self.request.GET.get("unit", ""), render=render, version=self.version,
        )
        context.update(figures)  # on a miss only: the figures themselves, for tests and debugging
        context["main"] = mark_safe(html)  # noqa: S308 — our own template's output, escaped when rendered
        return context


class ProgramFiguresView(DashboardContextMixin, TemplateView):
    template_name = "reports/dashboard/program.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.program_figures(context["root"], self.kwargs["number"], context["year"]))
        context["chart"] = context["table"].chart_data()
        return context


class CampaignFiguresView(DashboardContextMixin, TemplateView):
    template_name = "reports/dashboard/campaign.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.campaign_figures(context["root"], self.kwargs["code"], context["year"]))
        context["chart"] = context["table"].chart_data()
        return context


class ExportView(DashboardContextMixin, FormView):
    """Pick a period and format; a district's report streams at once, a province's runs in Celery."""

    template_name = "reports/dashboard/export.html"
    form_class = ExportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not PeriodicReportGenerator.is_available_to_user(request.user):
            raise Http404  # commune officers: no report of their own to export
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ExportJob.objects.filter(created_by=self.request.user).select_related("unit")[:10]
        return context

    def get_initial(self):
        return {"unit": self.request.GET.get("unit", "")}

    def form_valid(self, form):
        # The unit travels in the form (hidden field) so a POST is scoped like the page that showed it.
        root = selectors.root_unit_for(self.request.user, form.cleaned_data["unit"] or self.request.GET.get("unit"))
        generator = PeriodicReportGenerator(unit=root, period=form.cleaned_data["period"], fmt=form.cleaned_data["format"])
        if not generator.is_available_to(self.request.user):
            raise Http404
        if generator.is_large and not self.request.POST.get("stream"):
            job = export_job_create(user=self.request.user, generator=generator)
            return redirect("dashboard:export_job", pk=job.pk)
        response = HttpResponse(generator.generate(), content_type=generator.content_type)
        response["Content-Disposition"] = f'attachment; filename="{generator.filename}"'
        return response


class ExportJobView(ScopedViewMixin, DetailView):
    """The progress of a background export, for anyone who may see its unit; htmx polls until the file is ready."""

    model = ExportJob
    context_object_name = "job"

    def get_queryset(self):
        return ExportJob.objects.filter(unit__in=visible_units(self.request.user)).select_related("unit")

    def get_template_names(self):
        if self.request.htmx:
            return ["reports/dashboard/_export_job.html"]
        return ["reports/dashboard/export_job.html"]


class ExportFileView(ScopedViewMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(
            ExportJob, pk=pk, unit__in=visible_units(request.user), status=ExportStatus.DONE
        )
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
