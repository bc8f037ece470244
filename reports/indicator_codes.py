"""The indicator codes that rules in code depend on, each named once.

An administrator may rename an indicator's code in the admin; a rule keyed to the old code would
then switch itself off without a word. ``reports/checks.py`` names every code below that no
indicator has, at start-up (``manage.py check``, runserver, migrate).
"""
# Cross-cell rules of a report (reports/submissions/rules.py).
MEDIATION_CASES, MEDIATION_SOLVED = "hoa_giai_vu", "hoa_giai_thanh"
FUND_RAISED, FUND_SPENT = "quy_vnn_thu", "quy_vnn_chi"
FESTIVAL_HELD, FESTIVAL_DAY = "ngay_hoi_to_chuc", "ngay_hoi_ngay"
FESTIVAL_PARTS = ("ngay_hoi_le_va_hoi", "ngay_hoi_bua_com")  # "Có" only if the festival was held

# Headline figures of the dashboard (reports/dashboard/selectors.py), paired as (done, plan).
HOUSES_BUILT, HOUSES_REPAIRED = "nha_ddk_xay_moi", "nha_ddk_sua_chua"
OUT_OF_POVERTY = "ho_thoat_ngheo"
HEADLINE_CODES = (FUND_RAISED, FUND_SPENT, HOUSES_BUILT, HOUSES_REPAIRED, OUT_OF_POVERTY)

# Every code above with the rule that needs it, for the system check.
RULES_BY_CODE = {
    MEDIATION_CASES: "mediation rule (cases solved ≤ cases)",
    MEDIATION_SOLVED: "mediation rule (cases solved ≤ cases)",
    FUND_RAISED: "Quỹ “Vì người nghèo” rule and the dashboard's headline figures",
    FUND_SPENT: "Quỹ “Vì người nghèo” rule and the dashboard's headline figures",
    FESTIVAL_HELD: "festival rule (parts only if held)",
    FESTIVAL_DAY: "festival date rule",
    **{code: "festival rule (parts only if held)" for code in FESTIVAL_PARTS},
    HOUSES_BUILT: "dashboard's headline figures",
    HOUSES_REPAIRED: "dashboard's headline figures",
    OUT_OF_POVERTY: "dashboard's headline figures",
}
