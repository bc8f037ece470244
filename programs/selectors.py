"""Reads of the action plan alone; pages that show its campaigns read through campaigns.selectors."""
from .models import ActionPlan, Target


def current_plan(today=None) -> ActionPlan | None:
    """The plan whose term holds ``today``'s year, else the latest one."""
    plans = list(ActionPlan.objects.order_by("-term_start"))
    if today is not None:
        holding = [p for p in plans if p.term_start <= today.year <= p.term_end]
        if holding:
            return holding[0]
    return plans[0] if plans else None


def all_targets():
    return Target.objects.select_related("program", "indicator", "rating_level").order_by("code")


def plan_years() -> set[int] | None:
    """Every year some action plan's term covers; None when no plan is configured (no limit then)."""
    terms = list(ActionPlan.objects.values_list("term_start", "term_end"))
    if not terms:
        return None
    return {year for start, end in terms for year in range(start, end + 1)}
