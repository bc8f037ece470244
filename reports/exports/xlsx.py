"""Excel formatter: the same figures as the Word report, as numbers in cells (openpyxl)."""
from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from mattran.spreadsheets import neutralise_formula
from reports.exports.data import ReportData
from reports.exports.formats import FORMATS
from reports.formatting import ShownPercent

NUMBER_FORMAT = "#,##0.##"
BOLD = Font(bold=True)


def safe_cell(value):
    """Numbers stay numbers; text that a spreadsheet would run as a formula is quoted (CSV/formula injection)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return neutralise_formula(text)


class XlsxFormatter:
    extension = FORMATS["xlsx"].extension
    content_type = FORMATS["xlsx"].content_type

    def render(self, data: ReportData, progress=lambda percent: None) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Báo cáo")
        self._report_sheet(sheet, data)
        progress(55)
        for number, table in enumerate(data.appendices, start=1):
            self._appendix_sheet(workbook.create_sheet(_("Phụ lục %(n)s") % {"n": number}), table)
        progress(80)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _append(self, sheet, row, *, bold=False):
        # A target's share is a number rounded as the target shows it, formatted with the same decimals.
        sheet.append([safe_cell(v.cell if isinstance(v, ShownPercent) else v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, ShownPercent):
                cell.number_format = value.excel_format
            elif isinstance(cell.value, int | float):
                cell.number_format = NUMBER_FORMAT
            if bold:
                cell.font = BOLD

    def _report_sheet(self, sheet, data: ReportData) -> None:
        self._append(sheet, [data.issuing_body, None, None, data.nation])
        self._append(sheet, [data.unit_line, None, None, data.motto], bold=True)
        self._append(sheet, [data.number, None, None, data.dateline])
        self._append(sheet, [])
        self._append(sheet, [f"{data.title} {data.subtitle}"], bold=True)
        self._append(sheet, [])
        header = [_("Chỉ số"), _("Đơn vị tính"), _("Kỳ này"), _("Cùng kỳ năm trước"), _("Kế hoạch năm"), _("% kế hoạch")]
        for number, section in enumerate(data.sections, start=1):
            self._append(sheet, [f"{number}. {section.heading}"], bold=True)
            if section.figures:
                self._append(sheet, header, bold=True)
                for line in section.figures:
                    self._append(sheet, [line.indicator.name, line.indicator.unit_label, line.value, line.previous,
                                         line.plan, line.percent_of_plan])
            for line in section.targets:
                result = line.result
                self._append(sheet, [
                    _("Chỉ tiêu: %(name)s") % {"name": line.target.name}, "%",
                    line.percent,
                    None if result is None else result.numerator,
                    None if result is None else result.denominator,
                    line.status_label,
                ])
            self._append(sheet, [])
        sheet.column_dimensions["A"].width = 60
        for column in "BCDEF":
            sheet.column_dimensions[column].width = 16
        sheet["A5"].alignment = Alignment(wrap_text=False)

    def _appendix_sheet(self, sheet, table) -> None:
        self._append(sheet, [table.title], bold=True)
        self._append(sheet, [])
        self._append(sheet, [_("Đơn vị"), *table.columns], bold=True)
        for name, values in table.rows:
            self._append(sheet, [name, *values])
        if table.total:
            self._append(sheet, [table.total[0], *table.total[1]], bold=True)
        sheet.column_dimensions["A"].width = 30
        sheet.freeze_panes = "B4"
