"""Reads of the unit tree: the unit browser's children with the counts beneath them, ancestors, status; the
tree's copies a page reads every time (a unit's children on a day, its units per kind)."""
import datetime
from collections import defaultdict
from types import MappingProxyType

from django.db.models import Count, Q

from . import copies
from .models import ANCESTOR_FIELD, Unit, UnitKind

KIND_DEPTH = {UnitKind.PROVINCE: 0, UnitKind.DISTRICT: 1, UnitKind.COMMUNE: 2, UnitKind.AREA: 3}


def unit_ancestors(unit: Unit) -> list[Unit]:
    """The unit's ancestors from the top, read from its ancestor columns (no tree walk)."""
    ancestors = []
    for kind, field in ANCESTOR_FIELD.items():
        if kind == unit.kind:
            break
        ancestor = getattr(unit, field)
        if ancestor is not None:
            ancestors.append(ancestor)
    return ancestors


def unit_with_ancestors(queryset, **lookup) -> Unit:
    """One unit and its ancestors in one query; raises Unit.DoesNotExist."""
    return queryset.select_related("province", "district", "commune").get(**lookup)


@copies.cached_per_key("mattran.children_active_on")
def children_active_on(parent_id: int, day: datetime.date) -> tuple[Unit, ...]:
    """The units directly under ``parent_id`` on the tree as at ``day`` and active that day, by code: the
    tree's copy (read-only; one query when the tree changed, else none)."""
    return tuple(Unit.objects.children_on(parent_id, day).active_on(day).order_by("code"))


@copies.cached_per_key("mattran.active_kinds_within")
def active_kinds_within(scope_id: int, scope_kind: str, day: datetime.date) -> MappingProxyType:
    """``{kind: number of units}`` active on ``day`` in the subtree of the unit ``scope_id`` (of
    ``scope_kind``), itself included: the tree's copy (read-only)."""
    counts = Unit.objects.filter(**{ANCESTOR_FIELD[scope_kind]: scope_id}).active_on(day)
    return MappingProxyType(dict(counts.values_list("kind").annotate(n=Count("pk")).order_by()))


def unit_children(unit: Unit):
    return unit.children.order_by("code")


def descendant_counts(children, *, on: datetime.date) -> dict[int, dict[str, int]]:
    """Communes and residential areas active on ``on`` beneath each child, by child id.

    One GROUP BY on the ancestor column per kind of child (usually one kind), so the number of
    queries does not depend on the number of units.
    """
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"communes": 0, "areas": 0})
    by_kind: dict[str, list[int]] = defaultdict(list)
    for child in children:
        by_kind[child.kind].append(child.pk)
    for kind, ids in by_kind.items():
        if kind == UnitKind.AREA:
            continue
        column = ANCESTOR_FIELD[kind]
        rows = (
            Unit.objects.active_on(on)
            .filter(**{f"{column}__in": ids}, kind__in=[UnitKind.COMMUNE, UnitKind.AREA])
            .exclude(kind=kind)
            .values(column)
            .annotate(
                communes=Count("pk", filter=Q(kind=UnitKind.COMMUNE)),
                areas=Count("pk", filter=Q(kind=UnitKind.AREA)),
            )
            .order_by()
        )
        for row in rows:
            counts[row[column]] = {"communes": row["communes"], "areas": row["areas"]}
    return {pk: counts[pk] for ids in by_kind.values() for pk in ids}
