"""Filters for figure pages: Vietnamese number formatting and target badges."""
from django import template
from django.utils.html import format_html, format_html_join

from reports.formatting import format_number, format_percent, format_target_percent
from reports.targets.judgement import ACHIEVED, NO_DATA, NOT_ACHIEVED, NOT_DUE, NOT_REPORTED, PAST_DUE

register = template.Library()

BADGE_CSS = {
    ACHIEVED: "badge-achieved",
    NOT_ACHIEVED: "badge-not-achieved",
    NOT_DUE: "badge-not-due",
    NO_DATA: "text-bg-light border",
    NOT_REPORTED: "text-bg-light border border-secondary",
    PAST_DUE: "badge-past-due",
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


@register.simple_tag
def judgement_badge(judgement):
    """A target's standing for a unit and year (see reports.targets.judgement), coloured by status
    (a simple tag: an inclusion tag rendered a template per row)."""
    return format_html('<span class="badge {}">{}</span>', BADGE_CSS.get(judgement.status, BADGE_CSS[NO_DATA]), judgement.label)


@register.simple_tag
def unit_tiles(tiles, year):
    """The dashboard's unit tiles, one link each (a province draws 65: joined here, not by a loop of
    template nodes, which cost most of the page's rendering)."""
    return format_html_join(
        "\n", '<a class="unit-tile tile-{}" href="?unit={}&amp;year={}" data-unit="{}">'
        '<span class="fw-semibold">{}</span> <span class="small">{}</span></a>',
        ((tile.status, tile.unit.code, year, tile.unit.code, tile.unit.name, tile.label) for tile in tiles),
    )
