"""Every rule of a target in one place, each in its Python form and its SQL form side by side.

A target counts units whose value meets its *condition* (yes/no, a number, a rating) and is met
when the share of them passes its *threshold* ("trên 95%": strictly more). Pages judge one value
with the Python forms; the page listing the units behind a percentage filters and counts with the
ORM form of the condition; the set-based computation uses the SQL forms;
``reports/tests/test_target_rules.py`` checks that all give the same answer for every condition.
"""
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

HUNDREDTH = Decimal("0.01")


class TargetCondition(models.TextChoices):
    IS_TRUE = "IS_TRUE", _("Giá trị là Có")
    RATING_AT_LEAST = "RATING_AT_LEAST", _("Xếp loại từ mức … trở lên")
    NUMBER_AT_LEAST = "NUMBER_AT_LEAST", _("Số từ … trở lên")


class Operator(models.TextChoices):
    GT = "GT", _("Trên (>)")
    GTE = "GTE", _("Từ (≥)")


# ----------------------------------------------------------------------------- the condition


def condition_param(target):
    """What a value is compared with: True, the rating level's rank, or the number threshold."""
    if target.condition == TargetCondition.IS_TRUE:
        return True
    if target.condition == TargetCondition.RATING_AT_LEAST:
        return target.rating_level.rank
    return target.number_threshold


def condition_met(target, *, value_bool=None, value_number=None, rating_rank=None) -> bool:
    """Python form: whether one unit's value meets the target's condition (no value: not met)."""
    if target.condition == TargetCondition.IS_TRUE:
        return value_bool is True
    if target.condition == TargetCondition.RATING_AT_LEAST:
        return rating_rank is not None and rating_rank >= condition_param(target)
    return value_number is not None and value_number >= condition_param(target)


def condition_q(target, value: str) -> tuple[Q, Q]:
    """ORM form over the value row reached by the relation path ``value``: (has a value, meets the
    condition); the names page filters and counts with it in SQL, without a subquery per unit."""
    if target.condition == TargetCondition.IS_TRUE:
        return Q(**{f"{value}__value_bool__isnull": False}), Q(**{f"{value}__value_bool": True})
    if target.condition == TargetCondition.RATING_AT_LEAST:
        return (
            Q(**{f"{value}__rating_level__isnull": False}),
            Q(**{f"{value}__rating_level__rank__gte": condition_param(target)}),
        )
    return Q(**{f"{value}__value_number__isnull": False}), Q(**{f"{value}__value_number__gte": condition_param(target)})


# SQL over a value row ``dv``: whether it has a value for a target of each condition.
_HAS_VALUE_SQL = {
    TargetCondition.IS_TRUE: "dv.value_bool IS NOT NULL",
    TargetCondition.RATING_AT_LEAST: "dv.rating_level_id IS NOT NULL",
    TargetCondition.NUMBER_AT_LEAST: "dv.value_number IS NOT NULL",
}


def condition_sql(target, rating_table: str) -> tuple[str, str, str]:
    """SQL form over a value row ``dv``: (join, has-value condition, met expression with one %s
    for ``condition_param``). ``rating_table`` is the quoted table of rating levels."""
    has_value = _HAS_VALUE_SQL[target.condition]
    if target.condition == TargetCondition.IS_TRUE:
        return "", has_value, "CASE WHEN dv.value_bool = %s THEN 1 ELSE 0 END"
    if target.condition == TargetCondition.RATING_AT_LEAST:
        join = f" JOIN {rating_table} rl ON rl.id = dv.rating_level_id"
        return join, has_value, "CASE WHEN rl.rank >= %s THEN 1 ELSE 0 END"
    return "", has_value, "CASE WHEN dv.value_number >= %s THEN 1 ELSE 0 END"


def has_value_any_sql(condition_column: str) -> tuple[str, list]:
    """SQL form over a value row ``dv`` of ``condition_sql``'s has-value condition for the target
    whose condition is in ``condition_column`` (targets joined in SQL, not read into Python)."""
    cases = " ".join("WHEN %s THEN " + sql for sql in _HAS_VALUE_SQL.values())
    return f"CASE {condition_column} {cases} END", list(_HAS_VALUE_SQL)


# ----------------------------------------------------------------------------- the percentage


def percent_of(numerator: int, denominator: int) -> Decimal | None:
    """Python form: the share in percent with two decimals, rounded half up (None when there is nothing to count)."""
    if not denominator or denominator <= 0:
        return None
    return (Decimal(numerator * 100) / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def percent_cents_sql(numerator: str, denominator: str) -> str:
    """SQL form: the percentage in hundredths, rounded half up, in integer arithmetic (same as ``percent_of``)."""
    return f"(({numerator}) * 20000 + ({denominator})) / (2 * ({denominator}))"


# ----------------------------------------------------------------------------- the threshold


def meets(threshold_percent: Decimal, operator: str, numerator: int, denominator: int) -> bool:
    """Python form, with exact fractions: 95 of 100 does not pass "more than 95%"."""
    if denominator <= 0:
        return False
    lhs = numerator * 100
    rhs = threshold_percent * denominator
    return lhs > rhs if operator == Operator.GT else lhs >= rhs


def achieved_sql(target, numerator: str, denominator: str) -> tuple[str, list]:
    """SQL form of ``meets`` with exact integers: num·100 > threshold·den ⇔ num·10000 > threshold_cents·den."""
    threshold_cents = int(target.threshold_percent * 100)
    if Decimal(threshold_cents) != target.threshold_percent * 100:  # the field has two decimals: never happens
        raise ValueError("threshold_percent must have at most two decimals")
    comparison = ">" if target.operator == Operator.GT else ">="
    sql = (
        f"CASE WHEN ({denominator}) > 0 AND ({numerator}) * 10000 {comparison} %s * ({denominator})"
        " THEN %s ELSE %s END"
    )
    return sql, [threshold_cents, True, False]
