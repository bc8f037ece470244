"""Word formatter: the Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP) with python-docx."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.exports.data import ReportData
from reports.exports.formats import FONT, FORMATS
from reports.formatting import format_number, format_percent

BODY_SIZE = Pt(13)
TABLE_SIZE = Pt(11)
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}


def set_run_fonts(element, name: str = FONT) -> None:
    """Name the font for every script (ascii, hAnsi, cs, eastAsia) so Vietnamese text never falls back."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def set_page(section, *, landscape: bool = False) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, size in MARGINS.items():
        setattr(section, f"{side}_margin", size)


def remove_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


class DocxFormatter:
    extension = FORMATS["docx"].extension
    content_type = FORMATS["docx"].content_type

    def render(self, data: ReportData, progress=lambda percent: None) -> bytes:
        document = Document()
        self._styles(document)
        set_page(document.sections[0])
        self._heading(document, data)
        self._title(document, data)
        steps = max(1, len(data.sections) + len(data.appendices))
        for number, section in enumerate(data.sections, start=1):
            self._program(document, number, section)
            progress(int(30 + 50 * number / steps))
        self._signature(document, data)
        appendix = document.add_section(WD_SECTION.NEW_PAGE)
        set_page(appendix, landscape=True)
        self._paragraph(document, _("PHỤ LỤC"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for index, table in enumerate(data.appendices, start=1):
            self._appendix(document, table)
            progress(int(30 + 50 * (len(data.sections) + index) / steps))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    # Pieces of the document, top to bottom.

    def _styles(self, document) -> None:
        for name in ("Normal", "Table Grid"):
            style = document.styles[name]
            style.font.name = FONT
            set_run_fonts(style.element)
        normal = document.styles["Normal"]
        normal.font.size = BODY_SIZE
        normal.paragraph_format.space_after = Pt(3)
        normal.paragraph_format.line_spacing = 1.15

    def _paragraph(self, container, text, *, bold=False, italic=False, size=None, align=None, indent=False):
        paragraph = container.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(12.7)
        run = paragraph.add_run(str(text))
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = size
        set_run_fonts(run._element)
        return paragraph

    def _cell_text(self, cell, lines) -> None:
        """Fill a cell with ``(text, bold, italic, size)`` lines, each centred."""
        first = True
        for text, bold, italic, size in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(str(text))
            run.bold, run.italic, run.font.size = bold, italic, size
            set_run_fonts(run._element)

    def _heading(self, document, data: ReportData) -> None:
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        remove_borders(table)
        left, right = table.rows[0].cells
        left.width, right.width = Mm(62), Mm(103)
        self._cell_text(left, [
            (data.issuing_body, False, False, Pt(13)),
            (data.unit_line, True, False, Pt(13)),
            ("———", False, False, Pt(10)),
            (data.number, False, False, Pt(13)),
        ])
        self._cell_text(right, [
            (data.nation, True, False, Pt(12)),
            (data.motto, True, False, Pt(13)),
            ("———————————", False, False, Pt(10)),
            (data.dateline, False, True, Pt(13)),
        ])

    def _title(self, document, data: ReportData) -> None:
        self._paragraph(document, "")
        self._paragraph(document, data.title, bold=True, size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER)
        self._paragraph(document, data.subtitle, bold=True, size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER)
        self._paragraph(document, data.introduction, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        self._paragraph(document, _("I. KẾT QUẢ THỰC HIỆN CÁC CHƯƠNG TRÌNH CÔNG TÁC"), bold=True)

    def _grid(self, document, header, rows, *, widths=None, bold_last=False):
        table = document.add_table(rows=1, cols=len(header))
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell_text(cell, [(text, True, False, TABLE_SIZE)])
        for index, row in enumerate(rows):
            cells = table.add_row().cells
            bold = bold_last and index == len(rows) - 1
            for position, (cell, text) in enumerate(zip(cells, row, strict=True)):
                paragraph = cell.paragraphs[0]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if position == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.paragraph_format.space_after = Pt(0)
                run = paragraph.add_run(str(text))
                run.font.size, run.bold = TABLE_SIZE, bold
                set_run_fonts(run._element)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = width
        return table

    def _program(self, document, number, section) -> None:
        self._paragraph(document, f"{number}. {section.heading}", bold=True)
        if section.figures:
            self._grid(document, [
                _("Chỉ số"), _("Đơn vị tính"), _("Kỳ này"), _("Cùng kỳ năm trước"), _("Kế hoạch năm"), _("% kế hoạch"),
            ], [
                [line.indicator.name, line.indicator.unit_label, format_number(line.value), format_number(line.previous),
                 format_number(line.plan), format_percent(line.percent_of_plan)]
                for line in section.figures
            ], widths=[Mm(60), Mm(20), Mm(22), Mm(22), Mm(22), Mm(19)])
        else:
            self._paragraph(document, _("Chương trình không có chỉ số định lượng trong kỳ."), italic=True, indent=True)
        for line in section.targets:
            self._paragraph(document, line.sentence, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    def _signature(self, document, data: ReportData) -> None:
        self._paragraph(document, "")
        table = document.add_table(rows=1, cols=2)
        table.autofit = False
        remove_borders(table)
        left, right = table.rows[0].cells
        left.width, right.width = Mm(75), Mm(90)
        paragraph = left.paragraphs[0]
        run = paragraph.add_run(_("Nơi nhận:"))
        run.bold, run.italic, run.font.size = True, True, Pt(12)
        set_run_fonts(run._element)
        for line in data.recipients:
            run = left.add_paragraph().add_run(f"- {line}")
            run.font.size = Pt(11)
            set_run_fonts(run._element)
        self._cell_text(right, [
            (data.signature_for, True, False, Pt(13)),
            (data.signature_title, True, False, Pt(13)),
        ])

    def _appendix(self, document, table) -> None:
        self._paragraph(document, table.title, bold=True)
        formatter = str if table.percent else format_number
        rows = [[name, *[formatter(v) for v in values]] for name, values in table.rows]
        if table.total:
            rows.append([table.total[0], *[formatter(v) for v in table.total[1]]])
        self._grid(document, [_("Đơn vị"), *table.columns], rows, bold_last=bool(table.total))
        self._paragraph(document, "")
