"""Spreadsheets in and out: one hardened reader for every import, formula-injection safety for every export.

Every upload (values, residential areas, any later import) goes through :func:`read_table`, so each
gets the same limits — size, rows, zip ratio and unpacked size, formulas, encodings — and the same
Vietnamese messages.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

# Text starting with these is run by Excel or LibreOffice as a formula (or DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_ALLOWANCE = 10  # title and header rows above the data
MAX_PHYSICAL_ROWS = 200_000  # formatted but empty rows still cost time to walk
MAX_COLUMNS = 200  # the widest form has a few dozen columns
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
# Workbook XML packs 5–20 to 1; a part that claims far more is a zip bomb, whatever its total.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
METADATA_SHEET = "_thong_tin"
REQUIRED_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx


class SpreadsheetError(Exception):
    """A file refused whole; ``errors`` are Vietnamese messages, with cell references where known."""

    def __init__(self, errors):
        self.errors = list(errors) if isinstance(errors, list | tuple) else [errors]
        super().__init__("; ".join(str(e) for e in self.errors))


def cell_ref(row: int, column: int) -> str:
    """The A1 reference of a 1-based (row, column)."""
    return f"{get_column_letter(column)}{row}"


@dataclass
class Table:
    """The cells of the first sheet as values (row 1 is ``rows[0]``), and the template's metadata."""

    kind: str
    rows: list[list] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    def value(self, row: int, column: int):
        """The value at a 1-based (row, column), None beyond the edges."""
        if row - 1 >= len(self.rows):
            return None
        cells = self.rows[row - 1]
        return cells[column - 1] if column - 1 < len(cells) else None


def read_table(data: bytes, filename: str) -> Table:
    """Read ``data`` (the whole upload) by its content, checking the extension agrees."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("Tệp quá lớn (%(size)s MB); tối đa 5 MB.") % {"size": f"{len(data) / 1048576:.1f}"})
    if not data:
        raise SpreadsheetError(_("Tệp rỗng."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("xlsx", "csv"):
        raise SpreadsheetError(_("Chỉ nhận tệp .xlsx hoặc .csv (tệp đã gửi: “%(name)s”).") % {"name": filename})
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _("Tệp là bảng tính Excel cũ (.xls) hoặc đã đặt mật khẩu; hãy mở và lưu lại dạng .xlsx không mật khẩu.")
        )
    if extension == "xlsx":
        if not data.startswith(_ZIP_MAGIC):
            raise SpreadsheetError(_("Tệp có đuôi .xlsx nhưng nội dung không phải bảng tính Excel."))
        return _read_xlsx(data)
    if not data.startswith(_ZIP_MAGIC) and _is_wide_unicode(data):
        raise _not_utf8()
    if data.startswith(_ZIP_MAGIC) or b"\x00" in data[:4096]:
        raise SpreadsheetError(_("Tệp có đuôi .csv nhưng nội dung không phải văn bản CSV."))
    return _read_csv(data)


def _check_zip(data: bytes) -> None:
    """Refuse broken archives, archives that are not workbooks, and zip bombs, before unpacking."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise SpreadsheetError(_("Tệp .xlsx bị hỏng (không đọc được cấu trúc nén).")) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("Tệp .xlsx có quá nhiều thành phần; không phải bảng tính hợp lệ."))
    # The sizes in the central directory are what the archive claims; openpyxl's reader stops at
    # them, so capping their sum caps what unpacking can produce.
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(_("Tệp .xlsx giải nén ra quá lớn (trên 50 MB); tệp bị từ chối."))
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise SpreadsheetError(_("Tệp .xlsx giải nén ra quá lớn so với kích thước tệp (nghi tệp nén độc hại); tệp bị từ chối."))
    names = {member.filename for member in members}
    if not all(part in names for part in REQUIRED_XLSX_PARTS):
        raise SpreadsheetError(_("Tệp .xlsx thiếu thành phần của bảng tính Excel (có thể là tệp nén khác đổi đuôi)."))


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time(0) else value
    return value


def _read_xlsx(data: bytes) -> Table:
    _check_zip(data)
    table = Table(kind="xlsx")
    formulas: list[str] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = [ws for ws in workbook.worksheets if ws.title != METADATA_SHEET]
            if not sheets:
                raise SpreadsheetError(_("Tệp .xlsx không có trang dữ liệu."))
            if METADATA_SHEET in workbook.sheetnames:
                for key, value, *_rest in workbook[METADATA_SHEET].iter_rows(values_only=True, max_col=2):
                    if key:
                        text = "" if value is None else str(value).strip()
                        if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
                            text = text[1:]  # written escaped against formula injection
                        table.metadata[str(key).strip()] = text
            filled = 0
            sheet = sheets[0]
            # The <dimension> a file declares is not trusted: "A1:XFD1048576" would pad every row to
            # 16,384 cells. Without it each row is as wide as its own last cell.
            sheet.reset_dimensions()
            for row_number, cells in enumerate(sheet.iter_rows(), start=1):
                if row_number > MAX_PHYSICAL_ROWS:
                    raise _too_many_rows()
                if len(cells) > MAX_COLUMNS:
                    if any(getattr(cell, "value", None) not in (None, "") for cell in cells[MAX_COLUMNS:]):
                        raise SpreadsheetError(
                            _("Dòng %(row)s: tệp có quá %(max)s cột; tối đa %(max)s cột.") % {"row": row_number, "max": MAX_COLUMNS}
                        )
                    cells = cells[:MAX_COLUMNS]  # formatting only, beyond any form's width
                values = []
                for column, cell in enumerate(cells, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append(cell_ref(row_number, column))
                    values.append(_plain(cell.value))
                filled += any(v is not None and v != "" for v in values)
                if filled > MAX_ROWS + HEADER_ALLOWANCE:
                    raise _too_many_rows()
                table.rows.append(values)
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds (zip, XML, KeyError, ValueError) for broken files
        raise SpreadsheetError(_("Tệp .xlsx bị hỏng hoặc không đúng định dạng; không đọc được.")) from None
    if formulas:
        shown = ", ".join(formulas[:20]) + ("…" if len(formulas) > 20 else "")
        raise SpreadsheetError(
            _("Tệp có công thức ở ô %(cells)s; hãy dán giá trị (Paste Values) thay cho công thức.") % {"cells": shown}
        )
    _trim(table)
    return table


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    table = Table(kind="csv")
    try:
        for row_number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if row_number > MAX_ROWS + HEADER_ALLOWANCE:
                raise _too_many_rows()
            table.rows.append(values)
    except csv.Error:
        raise SpreadsheetError(_("Tệp CSV không đúng định dạng; không đọc được.")) from None
    _trim(table)
    return table


def _is_wide_unicode(data: bytes) -> bool:
    """True for UTF-16 or UTF-32 text (what Excel's "Unicode Text" writes), with or without a BOM."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = data[:4096]
    # ASCII text in UTF-16 has a NUL in every other byte.
    return len(sample) >= 2 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def _not_utf8() -> SpreadsheetError:
    return SpreadsheetError(_("Tệp CSV phải được lưu với bảng mã UTF-8."))


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(_("Tệp có quá nhiều dòng; tối đa %(max)s dòng số liệu.") % {"max": f"{MAX_ROWS:,}"})


def too_many_data_rows(row_number: int) -> str:
    """The message for the data row at ``row_number`` that is one past :data:`MAX_ROWS` (duplicates count too)."""
    return _("Dòng %(row)s: tệp có quá %(max)s dòng số liệu; tối đa %(max)s dòng mỗi lần nhập.") % {
        "row": row_number, "max": f"{MAX_ROWS:,}",
    }


def _trim(table: Table) -> None:
    """Drop trailing empty rows, which spreadsheets often carry."""
    while table.rows and all(v is None or v == "" for v in table.rows[-1]):
        table.rows.pop()


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would otherwise run it (formula injection)."""
    return "'" + text if is_formula_like(text) else text
