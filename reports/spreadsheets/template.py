"""The .xlsx template of a form for one period and submitting unit, current values filled in."""
from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mattran.models import Unit, UnitKind
from mattran.spreadsheets import METADATA_SHEET, is_formula_like
from programs.models import ValueType
from reports.models import ReportForm, Submission
from reports.periods import Period
from reports.spreadsheets.data import NO, YES, excel_value, form_columns, levels_of
from reports.submissions.selectors import row_units, stored_values, typed_value

TITLE_ROW, CODE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
CODE_HEADER, NAME_HEADER = "ma_don_vi", "ten_don_vi"
TEMPLATE_MARK = "mattran-mau-bao-cao"

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")


def safe_text(cell, text: str) -> None:
    """Write ``text`` so no spreadsheet program runs it as a formula (CSV/formula injection)."""
    if is_formula_like(text):
        cell.value = "'" + text
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = text
        if text.startswith("'"):
            cell.data_type = "s"


def _put(cell, value) -> None:
    if isinstance(value, str):
        safe_text(cell, value)
    else:
        cell.value = value


def template_filename(form: ReportForm, period: Period, unit: Unit) -> str:
    return f"{form.code}_{period}_{unit.code}.xlsx"


def template_build(*, form: ReportForm, period: Period, unit: Unit) -> bytes:
    """The workbook as bytes: title, hidden code row, headers, one row per unit, drop-downs, metadata."""
    indicators = form_columns(form)
    units = list(row_units(form, unit, period))
    values = stored_values(form, [u.pk for u in units], [i.pk for i in indicators], period)
    submission = Submission.objects.filter(form=form, unit=unit, period=str(period)).only("version").first()
    grouped = form.row_kind == UnitKind.AREA

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Số liệu")[:31]
    first_value_column = 3
    last_column = first_value_column + len(indicators) - 1

    title = _("%(form)s — %(period)s — %(unit)s") % {"form": form.name, "period": period.label(), "unit": unit.name}
    _put(sheet.cell(TITLE_ROW, 1), title)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=13)

    sheet.cell(CODE_ROW, 1, CODE_HEADER)
    sheet.cell(CODE_ROW, 2, NAME_HEADER)
    sheet.cell(HEADER_ROW, 1, _("Mã đơn vị"))
    sheet.cell(HEADER_ROW, 2, _("Tên đơn vị"))
    for offset, indicator in enumerate(indicators):
        column = first_value_column + offset
        sheet.cell(CODE_ROW, column, indicator.code)
        label = f"{indicator.name} ({indicator.unit_label})" if indicator.unit_label else indicator.name
        _put(sheet.cell(HEADER_ROW, column), label)
    sheet.row_dimensions[CODE_ROW].hidden = True
    for column in range(1, last_column + 1):
        header = sheet.cell(HEADER_ROW, column)
        header.font = _BOLD
        header.fill = _HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[HEADER_ROW].height = 48

    row = FIRST_DATA_ROW
    commune_id = object()
    for row_unit in units:
        if grouped and row_unit.commune_then_id != commune_id:  # its commune on the tree of the period
            commune_id = row_unit.commune_then_id
            _put(sheet.cell(row, 2), row_unit.commune_then_name or _("(không thuộc xã nào)"))
            for column in range(1, last_column + 1):
                sheet.cell(row, column).fill = _GROUP_FILL
            sheet.cell(row, 2).font = _BOLD
            row += 1
        _put(sheet.cell(row, 1), row_unit.code)
        _put(sheet.cell(row, 2), row_unit.name)
        for offset, indicator in enumerate(indicators):
            cell = sheet.cell(row, first_value_column + offset)
            _put(cell, excel_value(indicator, typed_value(values.get((row_unit.pk, indicator.pk)), indicator)))
            if indicator.value_type == ValueType.DATE:
                cell.number_format = "DD/MM/YYYY"
        row += 1
    last_row = max(row - 1, FIRST_DATA_ROW)

    _add_validations(sheet, indicators, first_value_column, last_row)
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, first_value_column)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 32
    for offset in range(len(indicators)):
        sheet.column_dimensions[get_column_letter(first_value_column + offset)].width = 18

    meta = workbook.create_sheet(METADATA_SHEET)
    rows = [
        ("loai_tep", TEMPLATE_MARK),
        ("bieu_mau", form.code),
        ("ky_bao_cao", str(period)),
        ("don_vi", unit.code),
        ("phien_ban", str(submission.version if submission else 0)),
        ("dong_du_lieu", str(FIRST_DATA_ROW)),
        ("tao_luc", timezone.now().isoformat(timespec="seconds")),
    ]
    for row_number, (key, value) in enumerate(rows, start=1):
        meta.cell(row_number, 1, key)
        _put(meta.cell(row_number, 2), value)
    meta.sheet_state = "hidden"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_validations(sheet, indicators, first_value_column, last_row) -> None:
    for offset, indicator in enumerate(indicators):
        letter = get_column_letter(first_value_column + offset)
        area = f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"
        if indicator.value_type == ValueType.BOOLEAN:
            choices = [YES, NO]
        elif indicator.value_type == ValueType.RATING:
            choices = [level.name for level in levels_of(indicator)]
        elif indicator.value_type == ValueType.DATE:
            rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            rule.error = _("Nhập ngày dạng dd/mm/yyyy.")
            rule.showErrorMessage = True
            sheet.add_data_validation(rule)
            rule.add(area)
            continue
        else:
            continue
        if not choices:
            continue
        # A list literal in a validation is quoted and comma-separated; level names hold no commas.
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        rule.error = _("Chọn một giá trị trong danh sách.")
        rule.errorTitle = _("Giá trị không hợp lệ")
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        rule.add(area)
