"""Writes to the unit tree: the official division list, ending and moving units (areas from a
spreadsheet: ``mattran.area_import``)."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .models import ANCESTOR_FIELD, Unit, UnitKind
from .placements import placement_of, placements_move, placements_sync
from .signals import units_changed

# --------------------------------------------------------------------------------------
# Official divisions (tỉnh, huyện, xã) from the PyPI package ``vietnam_provinces``
# --------------------------------------------------------------------------------------

# The package's division_type is generic ("tỉnh", "huyện", "xã"); the real type is the name's prefix.
_PREFIXES = {
    UnitKind.PROVINCE: [("Thành phố ", "thành phố trung ương"), ("Tỉnh ", "tỉnh")],
    UnitKind.DISTRICT: [("Thành phố ", "thành phố"), ("Thị xã ", "thị xã"), ("Quận ", "quận"), ("Huyện ", "huyện")],
    UnitKind.COMMUNE: [("Thị trấn ", "thị trấn"), ("Phường ", "phường"), ("Xã ", "xã")],
}
_CODE_WIDTH = {UnitKind.PROVINCE: 2, UnitKind.DISTRICT: 3, UnitKind.COMMUNE: 5}
_IMPORTED_FIELDS = ["name", "kind", "division_type", "parent_id"]


def division_type_of(kind: str, name: str, fallback: str = "") -> str:
    """The division type a name states by its prefix (``Thị xã Sơn Tây`` → ``thị xã``)."""
    for prefix, division_type in _PREFIXES[kind]:
        if name.startswith(prefix):
            return division_type
    return fallback


def gso_code(kind: str, number) -> str:
    """Zero-padded GSO code: province 2 digits, district 3, commune 5 (``5971`` → ``05971``)."""
    return str(int(number)).zfill(_CODE_WIDTH[kind])


@dataclass
class ImportCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict = field(default_factory=dict)

    def __str__(self):
        kinds = ", ".join(f"{UnitKind(k).label}: {n}" for k, n in self.by_kind.items())
        return _("Thêm mới %(i)d, cập nhật %(u)d, không đổi %(n)d (%(kinds)s).") % {
            "i": self.inserted, "u": self.updated, "n": self.unchanged, "kinds": kinds,
        }


def _package_divisions():
    import vietnam_provinces

    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


def units_import_from_package(*, province_code: str | int | None = None) -> ImportCounts:
    """Upsert provinces, districts and communes (all, or one province's) by GSO code.

    Set-based: one bulk_create and one bulk_update per level, then the ancestor columns are
    refreshed in a few UPDATEs. Re-running changes nothing. Imported units have an empty
    valid_from, so they count for every past year.
    """
    provinces = _package_divisions()
    if province_code is not None:
        wanted = int(province_code)
        provinces = [p for p in provinces if int(p["code"]) == wanted]
        if not provinces:
            raise ValueError(_("Không có tỉnh, thành phố nào mã %(code)s trong danh mục.") % {"code": province_code})

    levels = {UnitKind.PROVINCE: [], UnitKind.DISTRICT: [], UnitKind.COMMUNE: []}
    for p in provinces:
        p_code = gso_code(UnitKind.PROVINCE, p["code"])
        levels[UnitKind.PROVINCE].append((p_code, p["name"], p.get("division_type", ""), None))
        for d in p.get("districts", []):
            d_code = gso_code(UnitKind.DISTRICT, d["code"])
            levels[UnitKind.DISTRICT].append((d_code, d["name"], d.get("division_type", ""), p_code))
            for w in d.get("wards", []):
                levels[UnitKind.COMMUNE].append(
                    (gso_code(UnitKind.COMMUNE, w["code"]), w["name"], w.get("division_type", ""), d_code)
                )

    counts = ImportCounts()
    touched = False
    # The pre-reform list: its units have no start date (the 2025 list's reuse the codes from 1/7/2025).
    listed = Unit.objects.filter(valid_from__isnull=True)
    with transaction.atomic():
        id_by_code: dict[str, int] = {}
        for kind, rows in levels.items():
            parent_codes = {r[3] for r in rows if r[3]}
            id_by_code.update(dict(listed.filter(code__in=parent_codes).values_list("code", "id")))
            existing = {u.code: u for u in listed.filter(code__in=[r[0] for r in rows])}
            new, changed = [], []
            for code, name, raw_type, parent_code in rows:
                wanted = {
                    "name": name, "kind": kind,
                    "division_type": division_type_of(kind, name, raw_type),
                    "parent_id": id_by_code[parent_code] if parent_code else None,
                }
                unit = existing.get(code)
                if unit is None:
                    new.append(Unit(code=code, **wanted))
                elif any(getattr(unit, f) != v for f, v in wanted.items()):
                    for f, v in wanted.items():
                        setattr(unit, f, v)
                    changed.append(unit)
                else:
                    counts.unchanged += 1
            Unit.objects.bulk_create(new, batch_size=2000)
            Unit.objects.bulk_update(changed, _IMPORTED_FIELDS, batch_size=2000)
            counts.inserted += len(new)
            counts.updated += len(changed)
            counts.by_kind[kind] = len(rows)
            touched = touched or bool(new or changed)
            id_by_code.update(dict(listed.filter(code__in=[r[0] for r in rows]).values_list("code", "id")))
        if touched:
            Unit.refresh_ancestor_columns()
            units_changed.send(sender=Unit)
    return counts


# --------------------------------------------------------------------------------------
# Bulk changes of the unit tree from the admin: end on a date, move to another commune
# --------------------------------------------------------------------------------------


class UnitChangeError(Exception):
    """A bulk change refused as a whole; ``errors`` are Vietnamese sentences naming the units."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _subtree_ids(units) -> set[int]:
    """The units and everything under them, one query per kind present."""
    ids: set[int] = set()
    by_kind: dict[str, list[int]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit.pk)
    for kind, pks in by_kind.items():
        ids.update(Unit.objects.filter(**{f"{ANCESTOR_FIELD[kind]}__in": pks}).values_list("pk", flat=True))
    return ids


def units_end(*, units, on: datetime.date, by=None) -> int:
    """End ``units`` and everything under them on ``on`` (their last valid day); all or nothing.

    Units already ended on or before ``on`` keep their date. Recorded in each unit's history and
    announced with ``units_changed`` so the computed years are marked dirty. Returns how many ended.
    """
    units = list(units)
    errors = [
        _("%(code)s %(name)s bắt đầu hiệu lực ngày %(start)s, sau ngày kết thúc %(end)s.")
        % {"code": u.code, "name": u.name, "start": u.valid_from.strftime("%d/%m/%Y"), "end": on.strftime("%d/%m/%Y")}
        for u in units if u.valid_from and u.valid_from > on
    ]
    if errors:
        raise UnitChangeError(errors)
    with transaction.atomic():
        targets = list(
            Unit.objects.select_for_update().filter(pk__in=_subtree_ids(units))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        )
        for unit in targets:
            unit.valid_to = on
        reason = _("Kết thúc hiệu lực ngày %(day)s") % {"day": on.strftime("%d/%m/%Y")}
        bulk_update_with_history(targets, Unit, ["valid_to"], default_user=by, default_change_reason=reason)
        placements_sync(Unit.objects.filter(pk__in=[u.pk for u in targets]))
        if targets:
            units_changed.send(sender=Unit)
    return len(targets)


def areas_move(*, areas, to, on: datetime.date, by=None) -> list[Unit]:
    """Place residential areas under commune ``to`` from ``on``, all or nothing.

    A figure is computed on the tree as at its period's end, so a move must not re-cut earlier
    years: each area keeps its code, data and officers, gets a new placement from ``on`` (the days
    before keep the old one) and ``Unit.parent`` follows its latest placement. Recorded in each
    area's history; ``units_changed`` marks the computed years dirty. Returns the areas.
    """
    areas = list(areas)
    errors = []
    if to.kind != UnitKind.COMMUNE:
        errors.append(_("%(name)s không phải cấp xã.") % {"name": to.name})
    elif not to.is_active_on(on):
        errors.append(_("Xã %(name)s không còn hiệu lực ngày %(day)s.") % {"name": to.name, "day": on.strftime("%d/%m/%Y")})
    for area in areas:
        placement = placement_of(area, on) if area.kind == UnitKind.AREA else None
        if area.kind != UnitKind.AREA:
            errors.append(_("%(code)s %(name)s không phải khu dân cư.") % {"code": area.code, "name": area.name})
        elif not area.is_active_on(on):
            errors.append(
                _("%(code)s %(name)s không có hiệu lực trong ngày %(day)s.")
                % {"code": area.code, "name": area.name, "day": on.strftime("%d/%m/%Y")}
            )
        elif placement is not None and placement.parent_id == to.pk:
            errors.append(_("%(code)s %(name)s đã thuộc %(commune)s.") % {"code": area.code, "name": area.name, "commune": to.name})
    if errors:
        raise UnitChangeError(errors)
    reason = _("Chuyển sang %(commune)s từ ngày %(day)s") % {"commune": to.name, "day": on.strftime("%d/%m/%Y")}
    with transaction.atomic():
        placements_move(moves=[(area, to) for area in areas], on=on)
        moved = list(Unit.objects.filter(pk__in=[a.pk for a in areas]).order_by("code"))
        bulk_update_with_history(moved, Unit, ["parent"], default_user=by, default_change_reason=reason)
        units_changed.send(sender=Unit)
    return moved
