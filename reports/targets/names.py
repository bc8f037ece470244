"""The units behind a percentage (the names page): set-based, filtered and paged.

One query counts the counted units by how they stand (met, not met, not reported) and one reads a
page of them: each counted unit joined to its value of the target's indicator for the year (the
unique (indicator, unit, period) row) and that value's submission, the condition applied in SQL
(``target_rules.condition_q``). Nothing runs per unit, so a page costs the same for a commune of
ten areas and a province of five thousand.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, FilteredRelation, Q, Value, When

from mattran.models import ANCESTOR_FIELD, Unit, UnitPlacement
from programs import target_rules
from programs.models import Target, TargetCondition
from reports.constants import COUNTED_STATUSES, year_end
from reports.models import ReportForm

# How a counted unit stands under a target.
MET, NOT_MET, NOT_REPORTED = "met", "not_met", "not_reported"
STATUSES = (MET, NOT_MET, NOT_REPORTED)


@dataclass
class CountedUnit:
    unit: Unit
    status: str  # MET, NOT_MET or NOT_REPORTED
    value: object
    submission_status: str | None
    link: tuple[str, str, str] | None  # (form code, submitter code, period) of the reporting grid
    place: str = ""  # the commune and district between the page's unit and this one ("Xã A, Huyện B")


def counted_units(target: Target, unit: Unit, year: int, *, within: Unit | None = None, name: str = ""):
    """The counted units under ``unit`` on the tree of 31 December (active that day), each annotated
    with ``status``, ordered by code; ``within`` narrows to a district or commune, ``name`` to names
    containing it."""
    has_value, met = target_rules.condition_q(target, "v")
    reported = Q(v__submission__status__in=COUNTED_STATUSES) & has_value
    end = year_end(year)
    units = Unit.objects.within_on(unit, end).filter(kind__in=target.counted_kinds).active_on(end)
    if within is not None:
        units = units.within_on(within, end)
    if name:
        units = units.filter(name__icontains=name)
    return units.annotate(
        v=FilteredRelation("values", condition=Q(values__indicator=target.indicator_id, values__period=str(year))),
        status=Case(
            When(reported & met, then=Value(MET)), When(reported, then=Value(NOT_MET)),
            default=Value(NOT_REPORTED), output_field=CharField(),
        ),
    ).order_by("code")


def status_counts(units) -> dict[str, int]:
    """``{status: number of units}`` for every status (0 where none), in one GROUP BY query."""
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(units.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return counts


def with_values(units):
    """``units`` (from ``counted_units``) with what each reported: for one page of rows."""
    return units.annotate(
        v_bool=F("v__value_bool"), v_number=F("v__value_number"), v_level=F("v__rating_level__name"),
        v_status=F("v__submission__status"), v_form=F("v__submission__form__code"),
        v_submitter=F("v__submission__unit__code"),
    )


def page_rows(target: Target, unit: Unit, year: int, ids) -> list[CountedUnit]:
    """The rows of one page, given its units' ids (a page of ``counted_units(…).values_list("pk")``):
    paging over ids keeps the joins that only display a row (district, commune, form, submitter)
    to the page's own rows instead of every unit before the sort."""
    ids = list(ids)
    # Where each row and the page's unit stood on 31 December: the tree of the year, not today's.
    placed = {
        p.unit_id: p for p in UnitPlacement.objects.on(year_end(year)).filter(unit_id__in=[*ids, unit.pk])
        .select_related("province", "district", "commune")
    }
    units = counted_units(target, unit, year).filter(pk__in=ids)
    rows = rows_of(target, with_values(units), year, placed)
    own = placed.get(unit.pk)
    above = {getattr(own, f"{field}_id") for field in ANCESTOR_FIELD.values()} if own else {unit.pk}
    for row in rows:
        at = placed.get(row.unit.pk)
        between = [getattr(at, field) for field in ("commune", "district")] if at else []
        row.place = ", ".join(a.name for a in between if a is not None and a.pk != row.unit.pk and a.pk not in above)
    return rows


def rows_of(target: Target, units, year: int, placed: dict | None = None) -> list[CountedUnit]:
    """``with_values`` units as rows, each with a link to the grid it is (or would be) reported in:
    the grid of the unit that submits the form for the year, on the tree of that year (``placed``)."""
    units = list(units)
    forms = {}
    if any(u.status == NOT_REPORTED for u in units):
        forms = {
            f.row_kind: f
            for f in ReportForm.objects.filter(form_indicators__indicator=target.indicator_id).order_by("-order")
        }
    rows = []
    for u in units:
        if target.condition == TargetCondition.IS_TRUE:
            value = u.v_bool
        elif target.condition == TargetCondition.RATING_AT_LEAST:
            value = u.v_level
        else:
            value = u.v_number
        if u.status == NOT_REPORTED:
            form, at = forms.get(u.kind), (placed or {}).get(u.pk)
            field = ANCESTOR_FIELD.get(form.submitter_kind_on(year_end(year)), "province") if form else None
            submitter = getattr(at, field, None) if form and at else None
            link = (form.code, submitter.code, str(year)) if form and submitter else None
            rows.append(CountedUnit(u, NOT_REPORTED, None, u.v_status, link))
        else:
            rows.append(CountedUnit(u, u.status, value, u.v_status, (u.v_form, u.v_submitter, str(year))))
    return rows
