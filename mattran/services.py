"""Writes to the unit tree: importing the official division list and residential areas."""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import ANCESTOR_FIELD, UNIT_CODE_PATTERN, Unit, UnitKind
from .signals import units_changed
from .spreadsheets import MAX_ROWS, SpreadsheetError, is_formula_like, read_table, too_many_data_rows

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
    with transaction.atomic():
        id_by_code: dict[str, int] = {}
        for kind, rows in levels.items():
            parent_codes = {r[3] for r in rows if r[3]}
            id_by_code.update(dict(Unit.objects.filter(code__in=parent_codes).values_list("code", "id")))
            existing = {u.code: u for u in Unit.objects.filter(code__in=[r[0] for r in rows])}
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
            id_by_code.update(dict(Unit.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "id")))
        if touched:
            Unit.refresh_ancestor_columns()
            units_changed.send(sender=Unit)
    return counts


# --------------------------------------------------------------------------------------
# Residential areas (khu dân cư) from a spreadsheet
# --------------------------------------------------------------------------------------

AREA_COLUMNS = ["ma_xa", "ma_kdc", "ten_kdc", "loai"]
AREA_OPTIONAL_COLUMNS = ["hieu_luc_tu", "hieu_luc_den"]
AREA_TYPES = {"thôn": "thôn", "bản": "bản", "khối phố": "khối phố", "tổ dân phố": "tổ dân phố"}
_AREA_FIELDS = ["name", "division_type", "parent_id", "valid_from", "valid_to"]
# A code must fit a URL segment (/don-vi/<code>/) and the code column; a name must not be a formula or markup.
AREA_CODE_RE = re.compile(UNIT_CODE_PATTERN)
AREA_NAME_MAX_LENGTH = 200
_MARKUP_CHARACTERS = "<>"


class AreaImportError(Exception):
    """A rejected area file; ``errors`` lists every problem found, each naming its row."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _read_rows(name: str, content: bytes) -> list[list]:
    """The file's rows through the shared hardened reader (size, zip bomb, formulas, encoding)."""
    try:
        return read_table(content, name).rows
    except SpreadsheetError as exc:
        raise AreaImportError([str(e) for e in exc.errors]) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _parse_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


@dataclass
class AreaChange:
    """One row of an import preview: the area, its commune, and the fields that change (old → new)."""

    code: str
    name: str
    commune: str
    changes: dict = field(default_factory=dict)
    valid_to: datetime.date | None = None

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) in the unit's own Vietnamese labels."""
        return [
            (str(Unit._meta.get_field(name.removesuffix("_id")).verbose_name), old, new)
            for name, (old, new) in self.changes.items()
        ]


@dataclass
class AreaImportResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    # What the file adds, changes and ends (an area whose end date is set or moved), for the preview.
    added: list[AreaChange] = field(default_factory=list)
    changed: list[AreaChange] = field(default_factory=list)
    ended: list[AreaChange] = field(default_factory=list)

    def __str__(self):
        return _("Khu dân cư: thêm mới %(i)d, cập nhật %(u)d, không đổi %(n)d.") % {
            "i": self.inserted, "u": self.updated, "n": self.unchanged,
        }


def areas_import(*, name: str, content: bytes, dry_run: bool = False, by=None, scope: Unit | None = None) -> AreaImportResult:
    """Load residential areas from an .xlsx or .csv file; all or nothing.

    With ``dry_run`` nothing is written: the result lists what would be added, changed and ended
    (the admin's preview). Written rows are kept in the units' history, by ``by``. With ``scope``
    (a district officer's upload) every commune and every existing area must lie within it.

    Columns ``ma_xa``, ``ma_kdc``, ``ten_kdc``, ``loai`` and optional ``hieu_luc_tu``,
    ``hieu_luc_den`` (dd/mm/yyyy). The file is read by the shared hardened reader
    (:func:`mattran.spreadsheets.read_table`). Any problem rejects the whole file with
    :class:`AreaImportError` listing each problem with its row number; nothing is saved.
    Re-importing updates names, types and dates; unchanged rows are left alone.
    """
    rows = _read_rows(name, content)
    header_index = next((i for i, row in enumerate(rows) if any(_cell_text(c) for c in row)), None)
    if header_index is None:
        raise AreaImportError([_("Tệp không có dữ liệu.")])
    header = [_cell_text(c).lower() for c in rows[header_index]]
    missing = [c for c in AREA_COLUMNS if c not in header]
    if missing:
        raise AreaImportError([
            _("Thiếu cột: %(cols)s (dòng tiêu đề %(row)d).") % {"row": header_index + 1, "cols": ", ".join(missing)}
        ])
    col = {c: header.index(c) for c in AREA_COLUMNS + AREA_OPTIONAL_COLUMNS if c in header}

    errors: list[str] = []
    parsed = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in col.items()}
        if not any(_cell_text(v) for v in cells.values()):
            continue
        if len(parsed) == MAX_ROWS:
            raise AreaImportError([too_many_data_rows(number)])
        commune_code = _cell_text(cells["ma_xa"])
        code = _cell_text(cells["ma_kdc"])
        area_name = _cell_text(cells["ten_kdc"])
        kind_text = _cell_text(cells["loai"]).lower()
        if commune_code.isdigit():
            commune_code = commune_code.zfill(5)
        if not code:
            errors.append(_("Dòng %(row)d: thiếu mã khu dân cư.") % {"row": number})
        elif not AREA_CODE_RE.fullmatch(code):
            errors.append(
                _("Dòng %(row)d: mã khu dân cư “%(code)s” không hợp lệ (chỉ gồm chữ không dấu, chữ số, dấu - . _, "
                  "tối đa 20 ký tự, bắt đầu bằng chữ hoặc số).") % {"row": number, "code": code}
            )
        elif code in seen:
            errors.append(
                _("Dòng %(row)d: mã khu dân cư “%(code)s” trùng với dòng %(first)d.")
                % {"row": number, "code": code, "first": seen[code]}
            )
        else:
            seen[code] = number
        if not area_name:
            errors.append(_("Dòng %(row)d: thiếu tên khu dân cư.") % {"row": number})
        elif is_formula_like(area_name) or any(ch in area_name for ch in _MARKUP_CHARACTERS):
            errors.append(
                _("Dòng %(row)d: tên khu dân cư “%(name)s” có ký tự không được phép (bắt đầu bằng = + - @ "
                  "hoặc chứa < > như công thức hay mã trang web).") % {"row": number, "name": area_name[:60]}
            )
        elif len(area_name) > AREA_NAME_MAX_LENGTH:
            errors.append(
                _("Dòng %(row)d: tên khu dân cư dài quá %(max)d ký tự.") % {"row": number, "max": AREA_NAME_MAX_LENGTH}
            )
        if kind_text not in AREA_TYPES:
            errors.append(
                _("Dòng %(row)d: loại “%(kind)s” không hợp lệ (thôn, bản, khối phố, tổ dân phố).")
                % {"row": number, "kind": kind_text}
            )
        dates = {}
        for column, label in (("hieu_luc_tu", _("hiệu lực từ")), ("hieu_luc_den", _("hiệu lực đến"))):
            try:
                dates[column] = _parse_date(cells.get(column))
            except ValueError:
                dates[column] = None
                errors.append(
                    _("Dòng %(row)d: ngày %(label)s “%(value)s” không đúng dạng dd/mm/yyyy.")
                    % {"row": number, "label": label, "value": _cell_text(cells.get(column))}
                )
        if dates["hieu_luc_tu"] and dates["hieu_luc_den"] and dates["hieu_luc_den"] < dates["hieu_luc_tu"]:
            errors.append(_("Dòng %(row)d: ngày hết hiệu lực trước ngày bắt đầu hiệu lực.") % {"row": number})
        parsed.append((number, commune_code, code, area_name, AREA_TYPES.get(kind_text, ""), dates))

    communes = dict(
        Unit.objects.filter(kind=UnitKind.COMMUNE, code__in={p[1] for p in parsed}).values_list("code", "id")
    )
    existing = {u.code: u for u in Unit.objects.filter(code__in=[p[2] for p in parsed if p[2]]).select_related("parent")}
    in_scope = None if scope is None else set(
        Unit.objects.within(scope).filter(code__in=communes).values_list("code", flat=True)
    )
    for number, commune_code, code, *_rest in parsed:
        if commune_code not in communes:
            errors.append(_("Dòng %(row)d: không có xã mã “%(code)s”.") % {"row": number, "code": commune_code})
        elif in_scope is not None and commune_code not in in_scope:
            errors.append(
                _("Dòng %(row)d: xã mã “%(code)s” không thuộc %(scope)s.")
                % {"row": number, "code": commune_code, "scope": scope.name}
            )
        other = existing.get(code)
        if other is not None and other.kind != UnitKind.AREA:
            errors.append(
                _("Dòng %(row)d: mã “%(code)s” đã dùng cho đơn vị khác (%(name)s).")
                % {"row": number, "code": code, "name": other.name}
            )
        elif other is not None and scope is not None and not other.is_within(scope):
            errors.append(
                _("Dòng %(row)d: khu dân cư mã “%(code)s” thuộc đơn vị ngoài %(scope)s.")
                % {"row": number, "code": code, "scope": scope.name}
            )
    if not parsed and not errors:
        errors.append(_("Tệp không có dòng dữ liệu nào."))
    if errors:
        raise AreaImportError(sorted(errors, key=_row_of))

    result = AreaImportResult(dry_run=dry_run)
    new, changed = [], []
    for _number, commune_code, code, area_name, division_type, dates in parsed:
        wanted = {
            "name": area_name, "division_type": division_type, "parent_id": communes[commune_code],
            "valid_from": dates["hieu_luc_tu"], "valid_to": dates["hieu_luc_den"],
        }
        unit = existing.get(code)
        if unit is None:
            new.append(Unit(code=code, kind=UnitKind.AREA, **wanted))
            result.added.append(AreaChange(code, area_name, commune_code, valid_to=wanted["valid_to"]))
        elif any(getattr(unit, f) != v for f, v in wanted.items()):
            diff = {f: (getattr(unit, f), v) for f, v in wanted.items() if getattr(unit, f) != v}
            if "parent_id" in diff:  # shown as commune codes, not ids
                diff["parent_id"] = (unit.parent.code if unit.parent_id else None, commune_code)
            row = AreaChange(code, area_name, commune_code, diff, wanted["valid_to"])
            (result.ended if "valid_to" in diff and wanted["valid_to"] else result.changed).append(row)
            for f, v in wanted.items():
                setattr(unit, f, v)
            changed.append(unit)
        else:
            result.unchanged += 1
    result.inserted, result.updated = len(new), len(changed)
    if dry_run:
        return result
    with transaction.atomic():
        reason = _("Nhập danh mục khu dân cư từ tệp %(name)s") % {"name": Path(name).name}
        bulk_create_with_history(new, Unit, batch_size=2000, default_user=by, default_change_reason=reason)
        bulk_update_with_history(changed, Unit, _AREA_FIELDS, batch_size=2000, default_user=by, default_change_reason=reason)
        if new or changed:
            Unit.refresh_ancestor_columns(Unit.objects.filter(code__in=[u.code for u in new + changed]))
            units_changed.send(sender=Unit)
    return result


def _row_of(message: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in message).split()
    return int(digits[0]) if digits else 0


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
        if targets:
            units_changed.send(sender=Unit)
    return len(targets)


def moved_code(code: str, on: datetime.date) -> str:
    """The code of an area's successor under its new commune: ``D1C1A1`` moved on 1/7/2025 → ``D1C1A1-20250701``."""
    return f"{code}-{on:%Y%m%d}"


def areas_move(*, areas, to, on: datetime.date, by=None) -> list[Unit]:
    """Move residential areas to commune ``to`` from ``on``, all or nothing.

    A figure is computed on the tree as at its period's end, so a move must not re-cut earlier
    years: each area ends the day before ``on`` and a successor with the same name, under ``to``,
    starts on ``on`` (code from :func:`moved_code`). Both are kept in the history; ``units_changed``
    marks the computed years dirty. Returns the successors.
    """
    areas = list(areas)
    errors = []
    if to.kind != UnitKind.COMMUNE:
        errors.append(_("%(name)s không phải cấp xã.") % {"name": to.name})
    elif not to.is_active_on(on):
        errors.append(_("Xã %(name)s không còn hiệu lực ngày %(day)s.") % {"name": to.name, "day": on.strftime("%d/%m/%Y")})
    day_before = on - datetime.timedelta(days=1)
    for area in areas:
        if area.kind != UnitKind.AREA:
            errors.append(_("%(code)s %(name)s không phải khu dân cư.") % {"code": area.code, "name": area.name})
        elif area.parent_id == to.pk:
            errors.append(_("%(code)s %(name)s đã thuộc %(commune)s.") % {"code": area.code, "name": area.name, "commune": to.name})
        elif not area.is_active_on(on) or (area.valid_from and area.valid_from > day_before):
            errors.append(
                _("%(code)s %(name)s không có hiệu lực trước và trong ngày %(day)s.")
                % {"code": area.code, "name": area.name, "day": on.strftime("%d/%m/%Y")}
            )
    taken = set(Unit.objects.filter(code__in=[moved_code(a.code, on) for a in areas]).values_list("code", flat=True))
    errors += [_("Mã %(code)s đã có.") % {"code": code} for code in sorted(taken)]
    if errors:
        raise UnitChangeError(errors)
    reason = _("Chuyển sang %(commune)s từ ngày %(day)s") % {"commune": to.name, "day": on.strftime("%d/%m/%Y")}
    with transaction.atomic():
        successors = [
            Unit(code=moved_code(a.code, on), name=a.name, kind=UnitKind.AREA, division_type=a.division_type,
                 parent=to, valid_from=on, valid_to=a.valid_to)
            for a in areas
        ]
        successors = bulk_create_with_history(successors, Unit, default_user=by, default_change_reason=reason)
        Unit.refresh_ancestor_columns(Unit.objects.filter(code__in=[s.code for s in successors]))
        by_code = dict(Unit.objects.filter(code__in=[s.code for s in successors]).values_list("code", "pk"))
        for area in areas:
            area.valid_to = day_before
            area.successor_id = by_code[moved_code(area.code, on)]
        bulk_update_with_history(areas, Unit, ["valid_to", "successor"], default_user=by, default_change_reason=reason)
        units_changed.send(sender=Unit)
    return list(Unit.objects.filter(code__in=[s.code for s in successors]).order_by("code"))
