"""Reads of campaigns and movements."""
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
