"""Dashboard and figure pages: scoped to the user's subtree, read from precomputed rows only."""
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin
from reports import cache as dashboard_cache
from reports.constants import parse_year, trend_years
from reports.dashboard import selectors


class DashboardContextMixin(ScopedViewMixin):
    """The root unit (``?unit=``, within scope) and year (``?year=``) every figure page is about."""

    def get_root_and_year(self):
        root = selectors.root_unit_for(self.request.user, self.request.GET.get("unit"))
        year = parse_year(self.request.GET.get("year"))
        return root, year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        root, year = self.get_root_and_year()
        # The year filter: the years of the plan in force in the year shown (2016–2020, or 2025–2030).
        # Lazy: the cached dashboard draws its filter from its cached part and never reads the plan.
        context.update(root=root, year=year, years=SimpleLazyObject(lambda: sorted({*trend_years(year), year})))
        return context


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
