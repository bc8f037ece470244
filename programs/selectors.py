"""Reads of the action plan alone; pages that show its campaigns read through campaigns.selectors."""
from .models import ActionPlan, Target


def current_plan() -> ActionPlan | None:
    return ActionPlan.objects.order_by("-term_start").first()


def all_targets():
    return Target.objects.select_related("program", "indicator", "rating_level").order_by("code")
