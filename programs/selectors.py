"""Reads of the action plan alone; pages that show its campaigns read through campaigns.selectors."""
from django.db.models import Max, Min

from mattran import copies

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


@copies.cached("programs.plan_spans")
def plan_spans() -> tuple[tuple[int, int, int | None, int | None], ...]:
    """(term start, term end, its targets' first year, their last year) of every action plan, latest
    first: the catalogue's copy (one query when it changed, else none)."""
    return tuple(
        ActionPlan.objects.order_by("-term_start", "-pk")
        .annotate(first=Min("programs__targets__first_year"), last=Max("programs__targets__last_year"))
        .values_list("term_start", "term_end", "first", "last")
    )


def plan_terms() -> list[tuple[int, int]]:
    """(first, last year) of every action plan, latest first."""
    return [(start, end) for start, end, _first, _last in plan_spans()]


def plan_years() -> set[int] | None:
    """Every year some action plan's term covers; None when no plan is configured (no limit then)."""
    terms = plan_terms()
    if not terms:
        return None
    return {year for start, end in terms for year in range(start, end + 1)}


@copies.cached("programs.targets_in_order")
def targets_in_order() -> tuple[Target, ...]:
    """Every target with its program, by program number and code: the catalogue's copy (read-only)."""
    return tuple(Target.objects.select_related("program").order_by("program__number", "code"))
