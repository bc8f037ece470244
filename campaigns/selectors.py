"""Reads of campaigns and movements, and of the plan's programs with their campaigns."""
from django.db.models import Prefetch

from programs.models import ActionPlan, Indicator, Target, WorkProgram

from .models import Campaign


def campaign_list():
    return Campaign.objects.select_related("program", "parent").prefetch_related("children").order_by(
        "program__number", "order", "code"
    )


def campaign_detail(code: str) -> Campaign:
    """One campaign with its program, parent, sub-campaigns and indicators; raises DoesNotExist."""
    return (
        Campaign.objects.select_related("program", "parent")
        .prefetch_related("children", "indicators__rating_scale")
        .get(code=code)
    )


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
