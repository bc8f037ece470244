"""Reads shared by the template and the importer: a form's columns, its rows, current values."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch

from mattran.models import ANCESTOR_FIELD, Unit
from programs.models import RatingLevel, ValueType
from reports.models import FormIndicator, ReportForm

YES, NO = "Có", "Không"


def form_columns(form: ReportForm) -> list:
    """The form's indicators in order, each with its rating levels (best first) prefetched."""
    links = (
        FormIndicator.objects.filter(form=form)
        .select_related("indicator__rating_scale")
        .prefetch_related(
            Prefetch("indicator__rating_scale__levels", queryset=RatingLevel.objects.order_by("-rank"))
        )
        .order_by("order", "pk")
    )
    return [link.indicator for link in links]


def levels_of(indicator) -> list:
    if indicator.value_type != ValueType.RATING or indicator.rating_scale is None:
        return []
    return list(indicator.rating_scale.levels.all())


def submitting_unit_id(form: ReportForm, row_unit: Unit) -> int | None:
    """The unit that submits the row about ``row_unit``: its ancestor of the form's submitter kind
    (on the tree of the period, when the upload resolved it: ``submitter_then``)."""
    if hasattr(row_unit, "submitter_then"):
        return row_unit.submitter_then
    return getattr(row_unit, f"{ANCESTOR_FIELD[form.submitter_kind]}_id")


def same_value(a, b) -> bool:
    """Whether two typed values are the same (numbers compare by value, ratings by level)."""
    if isinstance(a, RatingLevel) or isinstance(b, RatingLevel):
        return getattr(a, "pk", None) == getattr(b, "pk", None)
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return Decimal(str(a)) == Decimal(str(b))
    if a == "":
        a = None
    if b == "":
        b = None
    return a == b


def excel_value(indicator, value):
    """A typed value as the template's cell holds it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, RatingLevel):
        return value.name
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else value
    return value
