"""Arithmetic of sheets: rounding, proportional points, caps, bands and ranks."""
from decimal import Decimal as D
from types import SimpleNamespace

from emulation import scoring


def test_proportional_points_round_half_up_to_the_cent():
    """1 × 0.475 ÷ 95 = 0.005 rounds up to 0.01, and 10 × 1.1875 ÷ 95 = 0.125 to 0.13 (not to even)."""
    assert scoring.proportional_points(D("1"), D("0.475"), D("95")) == D("0.01")
    assert scoring.proportional_points(D("10"), D("1.1875"), D("95")) == D("0.13")


def test_proportional_points_never_exceed_the_maximum():
    """Beyond the threshold the share is capped at 1."""
    assert scoring.proportional_points(D("30"), D("100"), D("95")) == D("30.00")
    assert scoring.proportional_points(D("30"), D("90"), D("95")) == D("28.42")


def test_band_points_take_the_highest_band_reached():
    """Bands are lower bounds; below every band gives 0."""
    bands = [(D("50"), D("2")), (D("80"), D("4")), (D("95"), D("5"))]
    assert scoring.band_points(D("49.99"), bands, D("5")) == D("0")
    assert scoring.band_points(D("80"), bands, D("5")) == D("4")
    assert scoring.band_points(D("99"), bands, D("5")) == D("5")


def test_bonus_and_penalty_caps_apply_per_section_then_per_guide():
    """Two bonuses of 5 under a section cap of 6 and a guide cap of 4 give 4; penalties likewise."""
    lines = [
        ("NORMAL", 1, D("70"), None, None),
        ("BONUS", 2, D("5"), D("6"), D("3")),
        ("BONUS", 2, D("5"), D("6"), D("3")),
        ("PENALTY", 2, D("-2"), D("6"), D("3")),
        ("PENALTY", 2, D("-2"), D("6"), D("3")),
    ]
    assert scoring.sheet_total(lines, None, None) == D("73.00")  # 70 + 6 − 3
    assert scoring.sheet_total(lines, D("4"), D("1")) == D("73.00")  # 70 + 4 − 1
    assert scoring.sheet_total(lines, D("1"), None) == D("68.00")  # 70 + 1 − 3


def test_total_never_goes_below_zero():
    assert scoring.sheet_total([("PENALTY", 1, D("-5"), None, None)], None, None) == D("0")


def test_classify_uses_inclusive_lower_bounds():
    """Exactly 90.00 is Xuất sắc; 89.99 is Vững mạnh; 0 is Yếu."""
    bands = [SimpleNamespace(name=n, min_total=D(m)) for n, m in
             [("Xuất sắc", "90"), ("Vững mạnh", "80"), ("Khá", "65"), ("Trung bình", "50"), ("Yếu", "0")]]
    assert scoring.classify(D("90.00"), bands).name == "Xuất sắc"
    assert scoring.classify(D("89.99"), bands).name == "Vững mạnh"
    assert scoring.classify(D("80.00"), bands).name == "Vững mạnh"
    assert scoring.classify(D("79.99"), bands).name == "Khá"
    assert scoring.classify(D("65"), bands).name == "Khá"
    assert scoring.classify(D("64.99"), bands).name == "Trung bình"
    assert scoring.classify(D("50"), bands).name == "Trung bình"
    assert scoring.classify(D("49.99"), bands).name == "Yếu"
    assert scoring.classify(D("0"), bands).name == "Yếu"


def test_ties_share_a_rank_and_skip_the_next():
    """Totals 80, 70, 70, 60 rank 1, 2, 2, 4."""
    assert scoring.competition_ranks({"a": D("80"), "b": D("70"), "c": D("70"), "d": D("60")}) == {
        "a": 1, "b": 2, "c": 2, "d": 4,
    }
