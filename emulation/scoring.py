"""Pure arithmetic of a score sheet: points from results, caps, bands and ranks (no database)."""
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def round_points(value: Decimal) -> Decimal:
    """Round half-up to 0.01, as scoring rules are read (0.125 → 0.13)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def proportional_points(max_points: Decimal, percent: Decimal, threshold: Decimal) -> Decimal:
    """max × min(1, percent ÷ threshold), rounded half-up to 0.01; a zero threshold gives full points."""
    if threshold <= 0:
        return round_points(max_points)
    share = min(Decimal(1), Decimal(percent) / Decimal(threshold))
    return round_points(max_points * share)


def band_points(value: Decimal, bands: Iterable[tuple[Decimal, Decimal]], max_points: Decimal) -> Decimal:
    """The points of the highest band whose lower bound is at most ``value``; 0 below every band."""
    points = ZERO
    best = None
    for from_value, band_value in bands:
        if value >= from_value and (best is None or from_value > best):
            best, points = from_value, band_value
    return min(round_points(points), max_points)


def capped(total: Decimal, cap: Decimal | None) -> Decimal:
    """A non-negative sum limited by an optional cap."""
    return total if cap is None else min(total, cap)


def sheet_total(lines: Iterable[tuple], guide_bonus_cap, guide_penalty_cap) -> Decimal:
    """Total of a sheet from ``(kind, section_id, points, section_bonus_cap, section_penalty_cap)`` lines.

    Normal points add up; bonuses are capped per section, then for the whole guide; penalties
    (negative points) likewise by their magnitude. The total never goes below zero.
    """
    normal = ZERO
    bonus: dict = {}
    penalty: dict = {}
    caps: dict = {}
    for kind, section_id, points, section_bonus_cap, section_penalty_cap in lines:
        caps[section_id] = (section_bonus_cap, section_penalty_cap)
        if kind == "BONUS":
            bonus[section_id] = bonus.get(section_id, ZERO) + max(points, ZERO)
        elif kind == "PENALTY":
            penalty[section_id] = penalty.get(section_id, ZERO) + max(-points, ZERO)
        else:
            normal += points
    bonus_sum = capped(sum((capped(v, caps[s][0]) for s, v in bonus.items()), ZERO), guide_bonus_cap)
    penalty_sum = capped(sum((capped(v, caps[s][1]) for s, v in penalty.items()), ZERO), guide_penalty_cap)
    return max(round_points(normal + bonus_sum - penalty_sum), ZERO)


def classify(total: Decimal, bands: Sequence):
    """The band with the highest ``min_total`` not above ``total`` (bands need ``min_total``)."""
    chosen = None
    for band in bands:
        if total >= band.min_total and (chosen is None or band.min_total > chosen.min_total):
            chosen = band
    return chosen


def competition_ranks(totals: dict) -> dict:
    """Ranks with ties sharing a place and the next place skipped: 1, 2, 2, 4."""
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    ranks = {}
    previous = None
    for position, (key, value) in enumerate(ordered, start=1):
        if previous is None or value != previous[1]:
            previous = (position, value)
        ranks[key] = previous[0]
    return ranks
