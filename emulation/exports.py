"""Sheet and ranking documents (.xlsx, .docx) titled in the official way, Times New Roman."""
import io
from decimal import Decimal

import docx
from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from mattran.spreadsheets import neutralise_formula
from reports.exports.formats import FONT, NATION, ORGANISATION


def safe_text(value) -> str:
    """Text for a spreadsheet cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return neutralise_formula(text)


def number(value):
    return None if value is None else float(value)


def fmt(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


def sheet_title(sheet) -> str:
    return _("BẢNG CHẤM ĐIỂM THI ĐUA NĂM %(year)s") % {"year": sheet.guide.year}


def ranking_title(guide) -> str:
    return _("BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THI ĐUA NĂM %(year)s") % {"year": guide.year}


def _sheet_rows(sheet, sections):
    """Header and rows of a sheet, shared by both formats."""
    header = [_("Mã"), _("Nội dung"), _("Điểm tối đa"), _("Tự chấm"), _("Thẩm định"), _("Chênh lệch"),
              _("Điểm tính"), _("Căn cứ, nhận xét")]
    rows = []
    for section, scores in sections:
        rows.append(("section", [f"{section.order}", section.title] + [""] * 6))
        for score in scores:
            criterion = score.criterion
            maximum = -criterion.max_points if criterion.kind == "PENALTY" else criterion.max_points
            note = score.auto_detail if criterion.is_automatic else score.review_comment
            rows.append(("line", [
                criterion.code, criterion.text, maximum, score.self_points, score.reviewed_points,
                score.difference, score.effective_points(sheet.status), note,
            ]))
    return header, rows


def _xlsx_title(ws, title: str, subtitle: str, width: int) -> int:
    bold = Font(name=FONT, size=13, bold=True)
    ws.cell(row=1, column=1, value=ORGANISATION[0]).font = bold
    ws.cell(row=2, column=1, value=ORGANISATION[1]).font = bold
    ws.cell(row=1, column=width - 2, value=NATION[0]).font = bold
    ws.cell(row=2, column=width - 2, value=NATION[1]).font = Font(name=FONT, size=13, italic=True)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    cell = ws.cell(row=4, column=1, value=title)
    cell.font = Font(name=FONT, size=14, bold=True)
    cell.alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    cell = ws.cell(row=5, column=1, value=safe_text(subtitle))
    cell.font = Font(name=FONT, size=13, italic=True)
    cell.alignment = Alignment(horizontal="center")
    return 7


def _xlsx_table(ws, start: int, header, rows) -> int:
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=start, column=col, value=text)
        cell.font = Font(name=FONT, size=13, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    row_no = start
    for kind, values in rows:
        row_no += 1
        for col, value in enumerate(values, start=1):
            if isinstance(value, Decimal):
                cell = ws.cell(row=row_no, column=col, value=number(value))
                cell.number_format = "0.00"
            elif isinstance(value, int) and not isinstance(value, bool):
                cell = ws.cell(row=row_no, column=col, value=value)
            else:
                cell = ws.cell(row=row_no, column=col, value=safe_text(value))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(name=FONT, size=13, bold=kind in ("section", "total"))
            cell.border = border
    return row_no


def _xlsx_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet_xlsx(sheet, sections) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Bảng chấm điểm")
    header, rows = _sheet_rows(sheet, sections)
    start = _xlsx_title(ws, sheet_title(sheet), f"{sheet.unit.name} · {sheet.get_status_display()}", len(header))
    rows.append(("total", ["", _("Tổng điểm"), sheet.guide.max_total, "", "", "", sheet.total, ""]))
    rows.append(("total", ["", _("Xếp loại"), "", "", "", "", "", sheet.band.name if sheet.band else ""]))
    _xlsx_table(ws, start, header, rows)
    for col, width in zip("ABCDEFGH", [8, 60, 11, 11, 11, 11, 11, 30], strict=True):
        ws.column_dimensions[col].width = width
    return _xlsx_bytes(wb)


def _ranking_rows(sheets):
    header = [_("Hạng toàn tỉnh"), _("Đơn vị"), _("Cụm thi đua"), _("Hạng trong cụm"), _("Tổng điểm"), _("Xếp loại")]
    rows = [
        ("line", [s.rank_in_province, s.unit.name, s.cluster.name if s.cluster else "", s.rank_in_cluster,
                  s.total, s.band.name if s.band else ""])
        for s in sheets
    ]
    return header, rows


def ranking_xlsx(guide, sheets) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Xếp hạng")
    header, rows = _ranking_rows(sheets)
    start = _xlsx_title(ws, ranking_title(guide), guide.get_scored_kind_display(), len(header))
    _xlsx_table(ws, start, header, rows)
    for col, width in zip("ABCDEF", [10, 40, 25, 10, 12, 16], strict=True):
        ws.column_dimensions[col].width = width
    return _xlsx_bytes(wb)


def _docx_document(title: str, subtitle: str, landscape: bool = False):
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(docx.oxml.ns.qn("w:eastAsia"), FONT)
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    head = document.add_table(rows=2, cols=2)
    for row, (left, right) in enumerate(zip(ORGANISATION, NATION, strict=True)):
        for col, text in enumerate((left, right)):
            paragraph = head.cell(row, col).paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = row == 0 or col == 1
            run.font.size = Pt(13)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(title)
    run.bold = True
    run.font.size = Pt(14)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(subtitle).italic = True
    return document


def _docx_table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for kind, values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            text = fmt(value) if isinstance(value, Decimal) else ("" if value is None else str(value))
            run = cell.paragraphs[0].add_run(text)
            run.bold = kind in ("section", "total")
            run.font.size = Pt(13)
    return table


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def sheet_docx(sheet, sections) -> bytes:
    document = _docx_document(sheet_title(sheet), f"{sheet.unit.name} · {sheet.get_status_display()}", landscape=True)
    header, rows = _sheet_rows(sheet, sections)
    rows.append(("total", ["", _("Tổng điểm"), sheet.guide.max_total, "", "", "", sheet.total, ""]))
    rows.append(("total", ["", _("Xếp loại"), "", "", "", "", "", sheet.band.name if sheet.band else ""]))
    _docx_table(document, header, rows)
    return _docx_bytes(document)


def ranking_docx(guide, sheets) -> bytes:
    document = _docx_document(ranking_title(guide), guide.get_scored_kind_display())
    _docx_table(document, *_ranking_rows(sheets))
    return _docx_bytes(document)
