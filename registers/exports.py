"""Excel export of a register's filtered list (openpyxl, streamed row by row)."""
import datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from mattran.spreadsheets import neutralise_formula
from reports.exports.formats import attachment


def safe_cell_value(value):
    """A value openpyxl writes as data, never as a formula; objects become their text."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    text = str(value)
    return neutralise_formula(text)


def register_workbook(register, queryset) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=capfirst(str(register.verbose_name))[:31])
    columns = register.all_export_columns()
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell_value(register.heading(column)))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for obj in queryset.iterator(chunk_size=2000):
        row = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=safe_cell_value(column.value(obj)))
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            row.append(cell)
        sheet.append(row)
    return workbook


def register_workbook_response(register, queryset) -> HttpResponse:
    buffer = BytesIO()
    register_workbook(register, queryset).save(buffer)
    return attachment(buffer.getvalue(), fmt="xlsx", stem=f"{register.slug}-{timezone.localdate():%Y%m%d}")
