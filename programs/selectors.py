"""Reads of the action plan for the home page and program pages, in a fixed number of queries."""
from django.db.models import Prefetch

from campaigns.models import Campaign

from .models import ActionPlan, Indicator, Target, WorkProgram


def current_plan() -> ActionPlan | None:
    return ActionPlan.objects.order_by("-term_start").first()


def programs_overview(plan: ActionPlan | None):
    """The plan's programs with their tasks and top-level campaigns (with sub-campaigns)."""
    if plan is None:
        return WorkProgram.objects.none()
    return WorkProgram.objects.filter(plan=plan).order_by("number").prefetch_related(
        "tasks",
        Prefetch(
            "campaigns",
            queryset=Campaign.objects.filter(parent__isnull=True).prefetch_related("children"),
            to_attr="top_campaigns",
        ),
    )


def all_targets():
    return Target.objects.select_related("program", "indicator", "rating_level").order_by("code")


def program_detail(plan: ActionPlan | None, number: int) -> WorkProgram:
    """One program with tasks, indicators, targets and campaigns; raises WorkProgram.DoesNotExist."""
    return (
        WorkProgram.objects.filter(plan=plan)
        .select_related("plan")
        .prefetch_related(
            "tasks",
            Prefetch("indicators", queryset=Indicator.objects.select_related("rating_scale")),
            Prefetch("targets", queryset=Target.objects.select_related("indicator", "rating_level")),
            Prefetch(
                "campaigns",
                queryset=Campaign.objects.select_related("parent").prefetch_related("indicators"),
            ),
        )
        .get(number=number)
    )




def plan_years() -> set[int] | None:
    """Every year some action plan's term covers; None when no plan is configured (no limit then)."""
    terms = list(ActionPlan.objects.values_list("term_start", "term_end"))
    if not terms:
        return None
    return {year for start, end in terms for year in range(start, end + 1)}
