"""The dated tree: a unit's placements (its parent and ancestors from one day to another).

``UnitPlacement`` rows answer "the tree as at day D" for every computation about a period; the
unit's own columns hold its latest placement (the tree of pages about today). Every write to the
tree goes through here: ``placements_sync`` after a unit's own columns changed (an edit, an
import), ``placements_move`` for a move dated from a day (earlier days keep their placement).
"""
from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import F, Q

from . import copies
from .models import ANCESTOR_FIELD, KIND_RANK, Unit, UnitPlacement

COLUMNS = ("parent_id", *(f"{field}_id" for field in ANCESTOR_FIELD.values()))
# Stands for an open start when dates are compared (a NULL valid_from is the earliest).
EARLIEST = datetime.date(1, 1, 1)


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def placements_sync(units=None) -> None:
    """Make the placements of ``units`` (a Unit queryset; all when None) agree with their own columns.

    Set-based, three statements: a unit without a placement gets one copying its columns and
    validity; each unit's latest placement takes its parent, ancestor columns, kind and end; its
    earliest placement takes its start. Placements after the unit's end are dropped.
    """
    units = units if units is not None else Unit.objects.all()
    ids_sql, ids_params = units.order_by().values("pk").query.sql_with_params()
    unit, placement = _quoted(Unit), _quoted(UnitPlacement)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {placement} WHERE unit_id IN ({ids_sql}) AND valid_from IS NOT NULL"  # noqa: S608
            f" AND valid_from > (SELECT u.valid_to FROM {unit} u WHERE u.id = {placement}.unit_id)"
            f" AND EXISTS (SELECT 1 FROM {placement} earlier WHERE earlier.unit_id = {placement}.unit_id"
            f" AND COALESCE(earlier.valid_from, %s) < {placement}.valid_from)",
            [*ids_params, EARLIEST],
        )
        copied = ", ".join(COLUMNS)
        cursor.execute(
            f"INSERT INTO {placement} (unit_id, kind, {copied}, valid_from, valid_to)"  # noqa: S608
            f" SELECT u.id, u.kind, {', '.join('u.' + c for c in COLUMNS)}, u.valid_from, u.valid_to FROM {unit} u"
            f" WHERE u.id IN ({ids_sql}) AND NOT EXISTS (SELECT 1 FROM {placement} p WHERE p.unit_id = u.id)",
            ids_params,
        )
        sets = ", ".join(
            f"{column} = (SELECT u.{column} FROM {unit} u WHERE u.id = {placement}.unit_id)"  # noqa: S608
            for column in (*COLUMNS, "kind", "valid_to")
        )
        cursor.execute(
            f"UPDATE {placement} SET {sets} WHERE unit_id IN ({ids_sql})"  # noqa: S608
            f" AND NOT EXISTS (SELECT 1 FROM {placement} later WHERE later.unit_id = {placement}.unit_id"
            f" AND COALESCE(later.valid_from, %s) > COALESCE({placement}.valid_from, %s))",
            [*ids_params, EARLIEST, EARLIEST],
        )
        cursor.execute(
            f"UPDATE {placement} SET valid_from = (SELECT u.valid_from FROM {unit} u WHERE u.id = {placement}.unit_id)"  # noqa: S608
            f" WHERE unit_id IN ({ids_sql})"
            f" AND NOT EXISTS (SELECT 1 FROM {placement} earlier WHERE earlier.unit_id = {placement}.unit_id"
            f" AND COALESCE(earlier.valid_from, %s) < COALESCE({placement}.valid_from, %s))",
            [*ids_params, EARLIEST, EARLIEST],
        )


def placement_of(unit: Unit | int, day: datetime.date) -> UnitPlacement | None:
    """``unit``'s placement on ``day``; for a unit not in force that day, its last one before (or
    its first one after): the place its figures were last counted at."""
    # An open start first on every database (PostgreSQL sorts NULL last by default).
    placements = list(UnitPlacement.objects.filter(unit=unit).order_by(F("valid_from").asc(nulls_first=True)))
    for placement in placements:
        if (placement.valid_from is None or placement.valid_from <= day) and (placement.valid_to is None or placement.valid_to >= day):
            return placement
    before = [p for p in placements if p.valid_to is not None and p.valid_to < day]
    return before[-1] if before else (placements[0] if placements else None)


def unit_by_code(units, code: str, day: datetime.date | None = None) -> Unit | None:
    """Among ``units``, the unit ``code`` names as at ``day`` (see ``UnitQuerySet.by_code``)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    candidates = list(units.filter(code=code))
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    for unit in candidates:
        if unit.is_active_on(day):
            return unit
    before = sorted((u for u in candidates if u.valid_to and u.valid_to < day), key=lambda u: u.valid_to)
    if before:
        return before[-1]
    return min(candidates, key=lambda u: u.valid_from or EARLIEST)


def tree_changes(first: datetime.date, last: datetime.date):
    """The placements that start after ``first`` or end before ``last`` (any means the tree is not
    the same on every day of the span: a year that saw the reform)."""
    return UnitPlacement.objects.filter(
        Q(valid_from__gt=first, valid_from__lte=last) | Q(valid_to__gte=first, valid_to__lt=last)
    )


@copies.cached_per_key("mattran.tree_changes_within")
def tree_changes_within(first: datetime.date, last: datetime.date) -> bool:
    """Whether the tree is not the same on every day of the span (``tree_changes``): the tree's copy."""
    return tree_changes(first, last).exists()


def placements_move(*, moves, on: datetime.date) -> list[UnitPlacement]:
    """Place each unit of ``moves`` (``[(unit, new parent)]``) under its new parent from ``on``, its
    subtree with it; days before ``on`` keep their placement. Set-based: one read of the new
    parents' placements, one of the placements in force on ``on`` under the moved units, one bulk
    update closing them, one bulk create of the new ones; then the units' own columns take their
    latest placement. Returns the new placements of the moved units themselves.
    """
    moves = list(moves)
    if not moves:
        return []
    parents = {p.unit_id: p for p in UnitPlacement.objects.on(on).filter(unit_id__in={to.pk for _u, to in moves})}
    missing = sorted({to.name for _u, to in moves if to.pk not in parents})
    if missing:
        raise ValueError(f"not in force on {on}: {', '.join(missing)}")
    day_before = on - datetime.timedelta(days=1)
    # The moved unit's new ancestors at its own level and above; its subtree keeps the levels below.
    upper: dict[int, tuple[str, int, dict]] = {}
    by_field: dict[str, list[int]] = {}
    for unit, to in moves:
        target = parents[to.pk]
        columns = {f"{field}_id": getattr(target, f"{field}_id") if KIND_RANK[kind] < KIND_RANK[unit.kind] else None
                   for kind, field in ANCESTOR_FIELD.items() if KIND_RANK[kind] <= KIND_RANK[unit.kind]}
        columns[f"{ANCESTOR_FIELD[unit.kind]}_id"] = unit.pk
        upper[unit.pk] = (ANCESTOR_FIELD[unit.kind], to.pk, columns)
        by_field.setdefault(ANCESTOR_FIELD[unit.kind], []).append(unit.pk)
    subtree = Q()
    for field, ids in by_field.items():
        subtree |= Q(**{f"{field}__in": ids})
    closed, created, dropped = [], [], []
    for placement in UnitPlacement.objects.on(on).filter(subtree):
        # The moved unit it lies under (the deepest, if a unit and its parent both moved).
        mover = next(
            getattr(placement, f"{field}_id") for field in reversed(ANCESTOR_FIELD.values())
            if getattr(placement, f"{field}_id") in upper
        )
        _field, to_id, columns = upper[mover]
        fresh = UnitPlacement(
            unit_id=placement.unit_id, kind=placement.kind, valid_from=on, valid_to=placement.valid_to,
            parent_id=to_id if placement.unit_id == mover else placement.parent_id,
            **{c: getattr(placement, c) for c in COLUMNS if c != "parent_id"},
        )
        for column, value in columns.items():
            setattr(fresh, column, value)
        created.append(fresh)
        if placement.valid_from is not None and placement.valid_from >= on:
            dropped.append(placement.pk)
        else:
            placement.valid_to = day_before
            closed.append(placement)
    with transaction.atomic(savepoint=False):
        UnitPlacement.objects.filter(pk__in=dropped).delete()
        UnitPlacement.objects.bulk_update(closed, ["valid_to"], batch_size=2000)
        UnitPlacement.objects.bulk_create(created, batch_size=2000)
        latest_columns_copy(Unit.objects.filter(pk__in=[p.unit_id for p in created]))
    return [p for p in created if p.unit_id in upper]


def latest_columns_copy(units) -> None:
    """Copy each unit's latest placement onto the unit itself (parent and ancestor columns)."""
    unit, placement = _quoted(Unit), _quoted(UnitPlacement)
    ids_sql, ids_params = units.order_by().values("pk").query.sql_with_params()
    sets = ", ".join(
        f"{column} = (SELECT p.{column} FROM {placement} p WHERE p.unit_id = {unit}.id"  # noqa: S608
        f" AND NOT EXISTS (SELECT 1 FROM {placement} later WHERE later.unit_id = p.unit_id"
        f" AND COALESCE(later.valid_from, %s) > COALESCE(p.valid_from, %s)))"
        for column in COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {unit} SET {sets} WHERE id IN ({ids_sql})",  # noqa: S608
            [EARLIEST, EARLIEST] * len(COLUMNS) + list(ids_params),
        )
