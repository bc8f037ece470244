"""Reading uploads into tables: content checks before parsing, no database needed."""
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
