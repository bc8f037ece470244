"""Residential areas (khu dân cư) from a spreadsheet: checked, previewed, then created or updated."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import UNIT_CODE_PATTERN, Unit, UnitKind
from .signals import units_changed
from .spreadsheets import MAX_ROWS, SpreadsheetError, is_formula_like, read_table, too_many_data_rows

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

    # A commune code names the commune in force today (codes were reused by the 2025 reform):
    # the units in force come last, so they win.
    communes = dict(
        Unit.objects.filter(kind=UnitKind.COMMUNE, code__in={p[1] for p in parsed})
        .order_by(F("valid_to").asc(nulls_last=True)).values_list("code", "id")
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
