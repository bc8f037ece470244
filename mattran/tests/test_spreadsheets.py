"""The shared reader (mattran.spreadsheets.read_table): content checks before parsing, no database needed."""
import io

import pytest
from openpyxl import Workbook

from mattran.spreadsheets import SpreadsheetError, read_table


def xlsx(rows, **cells):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for ref, value in cells.items():
        book.active[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_csv_with_a_bom_and_semicolons_is_read_by_its_delimiter():
    """Excel's "CSV UTF-8" (BOM, semicolons) reads as cells, trailing empty lines dropped."""
    table = read_table("ma_don_vi;quy_vnn_thu\n06001;1.234,5\n\n\n".encode("utf-8-sig"), "a.csv")
    assert table.kind == "csv" and table.rows == [["ma_don_vi", "quy_vnn_thu"], ["06001", "1.234,5"]]


def test_every_formula_cell_is_named():
    """A workbook with formulas is refused, naming each formula's cell."""
    with pytest.raises(SpreadsheetError) as refused:
        read_table(xlsx([["ma_don_vi", "a"], ["x", 1]], B2="=1+1", C5="=SUM(B2:B3)"), "f.xlsx")
    assert "B2" in refused.value.errors[0] and "C5" in refused.value.errors[0]


def test_the_extension_must_agree_with_the_content():
    """A workbook named .csv and text named .xlsx are both refused before parsing."""
    with pytest.raises(SpreadsheetError, match="CSV"):
        read_table(xlsx([["ma_don_vi"]]), "a.csv")
    with pytest.raises(SpreadsheetError, match="xlsx"):
        read_table(b"ma_don_vi,a\n", "a.xlsx")


def test_an_empty_file_is_refused():
    with pytest.raises(SpreadsheetError, match="rỗng"):
        read_table(b"", "a.csv")


def _with_dimension(data: bytes, ref: str) -> bytes:
    """``data`` (an .xlsx) with its sheet's declared <dimension> replaced by ``ref``."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), part)
            archive.writestr(info.filename, part)
    return out.getvalue()


def test_a_declared_dimension_of_every_column_is_not_trusted():
    """A sheet claiming A1:XFD2001 would be padded to 16,384 cells a row (gigabytes at 20,000 rows)."""
    data = _with_dimension(xlsx([["ma_don_vi", "a"]] + [[f"x{n}", n] for n in range(2000)]), "A1:XFD2001")
    table = read_table(data, "d.xlsx")
    assert len(table.rows) == 2001 and max(len(row) for row in table.rows) == 2


def test_a_value_beyond_200_columns_is_refused_naming_its_row_and_formatting_there_is_ignored():
    with pytest.raises(SpreadsheetError, match="Dòng 3: tệp có quá 200 cột"):
        read_table(xlsx([["ma_don_vi", "a"], ["x", 1]], GS3="far"), "w.xlsx")
    book = Workbook()
    book.active.append(["ma_don_vi", "a"])
    book.active["GS2"].number_format = "0.00"  # styled, empty
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_table(buffer.getvalue(), "w.xlsx").rows == [["ma_don_vi", "a"]]


def test_a_utf16_csv_with_or_without_a_bom_gets_the_utf8_message():
    for data in ("ma_don_vi,a\n06001,1\n".encode("utf-16"), "ma_don_vi,a\n06001,1\n".encode("utf-16-le")):
        with pytest.raises(SpreadsheetError) as refused:
            read_table(data, "u.csv")
        assert refused.value.errors == ["Tệp CSV phải được lưu với bảng mã UTF-8."]
