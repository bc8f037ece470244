"""Filters for figure pages: Vietnamese number formatting and target badges."""
from django import template
from django.utils.translation import gettext as _

from reports.exports.formatting import format_number, format_percent, format_target_percent
from reports.selectors_dashboard import ACHIEVED, NO_DATA, NOT_ACHIEVED, NOT_DUE, PAST_DUE

register = template.Library()

BADGES = {
    ACHIEVED: ("badge-achieved", "Đạt"),
    NOT_ACHIEVED: ("badge-not-achieved", "Không đạt"),
    NOT_DUE: ("badge-not-due", "Chưa đến hạn"),
    NO_DATA: ("text-bg-light border", "Chưa có số liệu"),
    PAST_DUE: ("badge-past-due", ""),
}


@register.filter
def vn_number(value):
    """1234567 → "1.234.567" (decimals with a comma); None → "—"."""
    return format_number(value)


@register.filter
def vn_percent(value):
    return format_percent(value)


@register.simple_tag
def target_percent(target, result):
    """A target's share at its display precision (the one rule for every page and export)."""
    return format_target_percent(target, result)


@register.inclusion_tag("reports/dashboard/_badge.html")
def judgement_badge(judgement):
    css = BADGES.get(judgement.status, BADGES[NO_DATA])[0]
    return {"css": css, "label": judgement.label}


@register.inclusion_tag("reports/dashboard/_badge.html")
def status_badge(status):
    css, label = BADGES.get(status, BADGES[NO_DATA])
    return {"css": css, "label": _(label)}
