"""Where an incremental run works: the ``Scope`` of a unit, its subtree and ancestors, in SQL pieces.

Every computation about a year reads the tree as at the year's end: the placements in force on
31 December (``placement_on_sql``), a unit's value in a shorter period the placement in force at
that period's end.
"""
from __future__ import annotations

import datetime
from functools import cached_property

from django.db import connection

from mattran import copies
from mattran.models import ANCESTOR_FIELD, Unit, UnitKind, UnitPlacement
from mattran.placements import placement_of

# Levels that get a TargetResult, top down; aggregates also go down to the residential area.
RESULT_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)
AGGREGATE_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.AREA)
LEVEL_ORDER = {kind: i for i, kind in enumerate(AGGREGATE_LEVELS)}


def table_name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def levels_from(scope: Scope | None, levels) -> list[str]:
    """The levels whose groups a run over ``scope`` writes from the scanned units: all of them for a
    whole year, else the scope's own level and those below it (its ancestors are done from rows)."""
    if scope is None:
        return list(levels)
    return [kind for kind in levels if LEVEL_ORDER[kind] >= LEVEL_ORDER[scope.kind]]


def placement_on_sql(alias: str, day_sql: str = "%s") -> str:
    """`` AND`` the placement ``alias`` is in force on the day ``day_sql`` (a mark or a column)."""
    return (
        f" AND ({alias}valid_from IS NULL OR {alias}valid_from <= {day_sql})"
        f" AND ({alias}valid_to IS NULL OR {alias}valid_to >= {day_sql})"
    )


def subtree_filter(scope: Scope | None, alias: str) -> tuple[str, list]:
    """Restrict the scanned units to the scope's subtree (one indexed equality on its ancestor column)."""
    if scope is None:
        return "", []
    return f" AND {alias}{ANCESTOR_FIELD[scope.kind]}_id = %s", [scope.pk]


def in_list(column: str, ids) -> tuple[str, list]:
    ids = list(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", ids


# A subtree up to this many units is listed by id for the stale-row deletes (a district: a few
# hundred); a larger one, or a province's, is a subquery.
LISTED_SUBTREE = 2000


@copies.cached_per_key("reports.targets.surroundings")
def _surroundings(unit_id: int, kind: str, day: datetime.date) -> tuple[tuple[int, str, tuple], ...]:
    """The unit's ancestors on the tree as at ``day``, nearest first (by its placement that day, or
    its last one before for a unit ended earlier), each with its children:
    ``((ancestor id, ancestor kind, ((child id, child kind), …)), …)``. The tree's copy: no query
    while the tree is unchanged."""
    placement = placement_of(unit_id, day)
    ancestors = [
        (ancestor_id, ancestor_kind)
        for ancestor_kind in reversed(AGGREGATE_LEVELS)
        if placement is not None and LEVEL_ORDER[ancestor_kind] < LEVEL_ORDER[kind]
        and (ancestor_id := getattr(placement, f"{ANCESTOR_FIELD[ancestor_kind]}_id"))
    ]
    children: dict[int, list] = {ancestor_id: [] for ancestor_id, _kind in ancestors}
    if children:
        rows = UnitPlacement.objects.on(day).filter(parent_id__in=list(children)).order_by()
        for child_id, parent_id, child_kind in rows.values_list("unit_id", "parent_id", "kind"):
            children[parent_id].append((child_id, child_kind))
    return tuple((ancestor_id, ancestor_kind, tuple(children[ancestor_id])) for ancestor_id, ancestor_kind in ancestors)


class Scope:
    """The unit an incremental run of ``year`` recomputes under, on the tree as at the year's end,
    with the unit lists its statements need: for each of its ancestors, the ancestor's children
    (the tree's copy), and the ids in its subtree (fetched once, only when stale rows are deleted)."""

    def __init__(self, unit: Unit, year: int):
        self.kind, self.pk, self.year = unit.kind, unit.pk, year
        self.day = datetime.date(year, 12, 31)

    @classmethod
    def of(cls, pk: int, kind: str, year: int) -> Scope:
        return cls(Unit(pk=pk, kind=kind), year)

    def ancestors(self, levels) -> list[tuple[int, tuple[tuple[int, str], ...]]]:
        """``(id, ((child id, child kind), …))`` of each ancestor at ``levels``, nearest first.

        An ancestor's subtree is itself plus its children's subtrees (a unit's parent is always of
        a higher kind, see ``Unit.clean``), so its row is the sum of its children's rows (and of
        the children that have none, the residential areas) plus its own value.
        """
        return [(pk, children) for pk, kind, children in _surroundings(self.pk, self.kind, self.day) if kind in levels]

    def top(self) -> Scope:
        """The scope of its topmost ancestor (itself if it has none)."""
        surroundings = _surroundings(self.pk, self.kind, self.day)
        return Scope.of(surroundings[-1][0], surroundings[-1][1], self.year) if surroundings else self

    @cached_property
    def _subtree(self) -> list[tuple[int, str]] | None:
        if self.kind == UnitKind.PROVINCE:
            return None
        units = self._placements().order_by().values_list("unit_id", "kind").distinct()
        listed = list(units[: LISTED_SUBTREE + 1])
        return None if len(listed) > LISTED_SUBTREE else listed

    def _placements(self):
        """Placements under it on some day of the year (a value of the year is placed at its period's end)."""
        first = datetime.date(self.year, 1, 1)
        return UnitPlacement.objects.filter(**{ANCESTOR_FIELD[self.kind]: self.pk}).exclude(valid_from__gt=self.day).exclude(valid_to__lt=first)

    def units_sql(self, levels) -> tuple[str, list]:
        """`` AND unit_id IN …``: the units of ``levels`` in its subtree during the year, by id (the
        planner then probes the unique index whatever its statistics say), or by a subquery for a
        large subtree."""
        if self._subtree is not None:
            return in_list("unit_id", [unit_id for unit_id, kind in self._subtree if kind in levels])
        kinds = ", ".join(["%s"] * len(levels))
        return (
            f" AND unit_id IN (SELECT unit_id FROM {table_name(UnitPlacement)} WHERE kind IN ({kinds})"  # noqa: S608
            f" AND {ANCESTOR_FIELD[self.kind]}_id = %s AND (valid_from IS NULL OR valid_from <= %s)"
            " AND (valid_to IS NULL OR valid_to >= %s))",
            [*levels, self.pk, self.day, datetime.date(self.year, 1, 1)],
        )


def delete_stale(model, now, units: tuple[str, list], conditions: str, params: list) -> None:
    """Delete the rows of ``units`` (and ``conditions``) computed before ``now``: the rows a run did not rewrite."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table_name(model)} WHERE computed_at < %s{conditions}{units[0]}",  # noqa: S608
            [now, *params, *units[1]],
        )
