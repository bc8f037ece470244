"""Program pages: a work program's full title, tasks, indicators, targets and campaigns."""
from django.http import Http404
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin

from . import selectors
from .models import WorkProgram


class PlanView(ScopedViewMixin, TemplateView):
    """The current plan: its preamble, purpose and requirements, five programs, targets and implementation."""

    template_name = "programs/plan.html"

    def get_context_data(self, **kwargs):
        plan = selectors.current_plan()
        return super().get_context_data(
            plan=plan, programs=selectors.programs_overview(plan), targets=selectors.all_targets(), **kwargs,
        )


class ProgramDetailView(ScopedViewMixin, TemplateView):
    template_name = "programs/program_detail.html"

    def get_context_data(self, **kwargs):
        plan = selectors.current_plan()
        try:
            program = selectors.program_detail(plan, self.kwargs["number"])
        except WorkProgram.DoesNotExist:
            raise Http404 from None
        return super().get_context_data(plan=plan, program=program, **kwargs)
