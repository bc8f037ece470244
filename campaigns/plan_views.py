"""The home page and program pages: the plan's programs with their tasks, targets and campaigns.

They show campaigns, so they live here, the highest app they show (DESIGN.md §2); their URLs keep
the `programs` namespace and their templates stay under templates/programs/.
"""
from django.http import Http404
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin
from programs import selectors as plan_selectors
from programs.models import WorkProgram

from . import selectors


class HomeView(ScopedViewMixin, TemplateView):
    """The action plan at a glance: five programs with tasks, campaigns and the three targets."""

    template_name = "mattran/home.html"

    def get_context_data(self, **kwargs):
        plan = plan_selectors.current_plan()
        return super().get_context_data(
            plan=plan,
            programs=selectors.programs_overview(plan),
            targets=plan_selectors.all_targets(),
            **kwargs,
        )


class PlanView(ScopedViewMixin, TemplateView):
    """The current plan: its preamble, purpose and requirements, five programs, targets and implementation."""

    template_name = "programs/plan.html"

    def get_context_data(self, **kwargs):
        plan = plan_selectors.current_plan()
        return super().get_context_data(
            plan=plan, programs=selectors.programs_overview(plan), targets=plan_selectors.all_targets(), **kwargs,
        )


class ProgramDetailView(ScopedViewMixin, TemplateView):
    template_name = "programs/program_detail.html"

    def get_context_data(self, **kwargs):
        plan = plan_selectors.current_plan()
        try:
            program = selectors.program_detail(plan, self.kwargs["number"])
        except WorkProgram.DoesNotExist:
            raise Http404 from None
        return super().get_context_data(plan=plan, program=program, **kwargs)
