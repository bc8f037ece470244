"""The periodic report opens as Word, Excel and PDF with the right figures in the right places."""
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook
from pypdf import PdfReader

from mattran.models import UnitKind
from reports.exports.data import build_report_data
from reports.exports.generator import PeriodicReportGenerator
from reports.periods import Period
from reports.tests.dash_factories import put_plan, put_result, put_value, world
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2019, 7, 5)
FUND = 'Quỹ "Vì người nghèo" vận động được'


@pytest.fixture
def w():
    w = world()
    province = w["province"]
    province.name = "Tỉnh Lạng Sơn"
    province.save()
    put_value("quy_vnn_thu", province, "2019-H1", 1234567)
    put_value("quy_vnn_thu", province, "2018-H1", 1000)
    put_plan("quy_vnn_thu", province, 2019, 2000000)
    put_value("quy_vnn_thu", w["d1"], "2019-H1", 700000)
    put_value("quy_vnn_thu", w["d2"], "2019-H1", 534567)
    put_value("nha_ddk_xay_moi", province, "2019-H1", 45)
    put_value("quy_vnn_thu", province, "2019-9M", 2500000)
    put_value("quy_vnn_thu", province, "2019", 3100000)
    put_result("ngay_hoi_kdc", province, 2019, 96, 100)
    put_result("ngay_hoi_kdc", w["d1"], 2019, 97, 100)
    return w


def generate(unit, period, fmt):
    return PeriodicReportGenerator(unit=unit, period=period, fmt=fmt, today=TODAY).generate()


def all_paragraph_texts(document):
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def table_with_header(document, first_header):
    return [t for t in document.tables if t.rows[0].cells[0].text == first_header]


def row_of(table, first_cell):
    return next([c.text for c in r.cells] for r in table.rows if r.cells[0].text == first_cell)


class TestWord:
    def test_heading_has_issuer_number_nation_motto_and_dateline_in_a_borderless_two_column_table(self, w):
        document = Document(io.BytesIO(generate(w["province"], "2019-H1", "docx")))
        heading = document.tables[0]
        left, right = heading.rows[0].cells
        assert [p.text for p in left.paragraphs if p.text != "———"] == [
            "ỦY BAN MTTQ VIỆT NAM", "TỈNH LẠNG SƠN", "Số: …/BC-MTTQ-BTT",
        ]
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right.text
        assert "Độc lập - Tự do - Hạnh phúc" in right.text
        assert "Lạng Sơn, ngày 05 tháng 7 năm 2019" in right.text
        borders = heading._tbl.tblPr.find(qn("w:tblBorders"))
        assert {b.get(qn("w:val")) for b in borders} == {"nil"}

    def test_title_names_the_period_in_words(self, w):
        texts = [p.text for p in Document(io.BytesIO(generate(w["province"], "2019-H1", "docx"))).paragraphs]
        assert "BÁO CÁO" in texts
        assert "Kết quả thực hiện Chương trình hành động 6 tháng đầu năm 2019" in texts
        nine = [p.text for p in Document(io.BytesIO(generate(w["province"], "2019-9M", "docx"))).paragraphs]
        assert "Kết quả thực hiện Chương trình hành động 9 tháng năm 2019" in nine
        year = [p.text for p in Document(io.BytesIO(generate(w["province"], "2019", "docx"))).paragraphs]
        assert "Kết quả thực hiện Chương trình hành động năm 2019" in year

    def test_each_work_program_has_a_section_with_its_figures_and_targets(self, w):
        document = Document(io.BytesIO(generate(w["province"], "2019-H1", "docx")))
        texts = [p.text for p in document.paragraphs]
        for number in range(1, 6):
            assert any(t.startswith(f"{number}. Chương trình {number}:") for t in texts)
        figures = table_with_header(document, "Chỉ số")
        fund = next(row_of(t, FUND) for t in figures if any(r.cells[0].text == FUND for r in t.rows))
        assert fund[1:] == ["triệu đồng", "1.234.567", "1.000", "2.000.000", "61,7%"]
        assert any("đạt 96,0% (96/100 đơn vị) — Đạt" in t for t in texts)

    def test_appendix_tables_by_district_sit_in_a_landscape_section(self, w):
        document = Document(io.BytesIO(generate(w["province"], "2019-H1", "docx")))
        assert len(document.sections) == 2
        appendix = document.sections[1]
        assert appendix.orientation == WD_ORIENT.LANDSCAPE and appendix.page_width > appendix.page_height
        by_unit = table_with_header(document, "Đơn vị")
        program_2 = next(t for t in by_unit if any(FUND in c.text for c in t.rows[0].cells))
        column = next(i for i, c in enumerate(program_2.rows[0].cells) if c.text.startswith(FUND))
        assert row_of(program_2, "Huyện 1")[column] == "700.000"
        assert row_of(program_2, "Huyện 2")[column] == "534.567"
        assert row_of(program_2, "Toàn Tỉnh Lạng Sơn")[column] == "1.234.567"
        targets = next(t for t in by_unit if "Ngày hội" in "".join(c.text for c in t.rows[0].cells))
        assert "97,0%" in row_of(targets, "Huyện 1")

    def test_page_is_a4_with_administrative_margins_and_times_new_roman_13(self, w):
        document = Document(io.BytesIO(generate(w["province"], "2019-H1", "docx")))
        first = document.sections[0]
        assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
        assert 20 <= round(first.top_margin.mm) <= 25 and 20 <= round(first.bottom_margin.mm) <= 25
        assert 30 <= round(first.left_margin.mm) <= 35 and 15 <= round(first.right_margin.mm) <= 20
        normal = document.styles["Normal"]
        assert normal.font.size == Pt(13)
        fonts = normal.element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}

    def test_signature_block_is_signed_for_the_standing_board(self, w):
        texts = all_paragraph_texts(Document(io.BytesIO(generate(w["province"], "2019", "docx"))))
        assert "TM. BAN THƯỜNG TRỰC" in texts and "CHỦ TỊCH" in texts and "Nơi nhận:" in texts

    def test_a_districts_report_holds_only_that_districts_figures(self, w):
        document = Document(io.BytesIO(generate(w["d1"], "2019-H1", "docx")))
        texts = all_paragraph_texts(document)
        assert "HUYỆN 1" in texts
        assert "700.000" in texts and "1.234.567" not in texts


def test_excel_holds_the_same_figures_as_numbers_in_the_right_cells(w):
    workbook = load_workbook(io.BytesIO(generate(w["province"], "2019-H1", "xlsx")))
    sheet = workbook["Báo cáo"]
    assert sheet["A1"].value == "ỦY BAN MTTQ VIỆT NAM" and sheet["D2"].value == "Độc lập - Tự do - Hạnh phúc"
    fund = next(row for row in sheet.iter_rows(values_only=True) if row[0] == FUND)
    assert fund[1:6] == ("triệu đồng", 1234567, 1000, 2000000, 61.7)
    appendix = next(s for s in workbook.worksheets[1:] if any(FUND in str(c.value) for c in s[3]))
    header = [c.value for c in appendix[3]]
    column = next(i for i, v in enumerate(header) if v and v.startswith(FUND))
    rows = {row[0]: row for row in appendix.iter_rows(min_row=4, values_only=True)}
    assert rows["Huyện 1"][column] == 700000
    assert rows["Huyện 2"][column] == 534567
    assert rows["Toàn Tỉnh Lạng Sơn"][column] == 1234567


def test_excel_neutralises_text_that_would_run_as_a_formula(w):
    make_unit("EVIL", '=HYPERLINK("http://x","y")', UnitKind.DISTRICT, w["province"])
    workbook = load_workbook(io.BytesIO(generate(w["province"], "2019-H1", "xlsx")))
    names = [row[0] for s in workbook.worksheets[1:] for row in s.iter_rows(values_only=True) if row[0]]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names
    assert all(c.data_type != "f" for s in workbook.worksheets for row in s.iter_rows() for c in row)


def test_pdf_has_the_title_and_figures_and_a_landscape_appendix(w):
    reader = PdfReader(io.BytesIO(generate(w["province"], "2019-H1", "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "BÁO CÁO" in text
    assert "6 tháng đầu năm 2019" in text
    assert "1.234.567" in text and "2.000.000" in text and "700.000" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    first, last = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert round(float(first.width) / 72 * 25.4) == 210 and round(float(first.height) / 72 * 25.4) == 297
    assert float(last.width) > float(last.height)


def test_reading_the_report_data_takes_the_same_queries_for_2_or_12_districts(w):
    def count():
        with CaptureQueriesContext(connection) as queries:
            build_report_data(w["province"], Period.parse("2019"), TODAY)
        return len(queries)

    before = count()
    for d in range(10):
        put_value("quy_vnn_thu", make_unit(f"X{d}", f"Huyện X{d}", UnitKind.DISTRICT, w["province"]), "2019", 1)
    assert count() == before <= 10


@pytest.mark.parametrize(("period", "fmt", "message"), [
    ("2019-13", "docx", "không hợp lệ"),
    ("2019-11", "docx", "chỉ lập cho quý, 6 tháng, 9 tháng hoặc năm"),
    ("2019", "odt", "không hỗ trợ"),
])
def test_a_bad_period_or_format_is_refused_with_a_vietnamese_message(w, period, fmt, message):
    with pytest.raises(ValueError, match=message):
        PeriodicReportGenerator(unit=w["province"], period=period, fmt=fmt)


class TestCommand:
    def test_export_report_writes_the_yearly_word_report(self, w, tmp_path):
        out = tmp_path / "bao-cao.docx"
        call_command("export_report", "--period", "2019", "--format", "docx", "--out", str(out))
        texts = [p.text for p in Document(str(out)).paragraphs]
        assert "Kết quả thực hiện Chương trình hành động năm 2019" in texts

    def test_export_report_for_one_district(self, w, tmp_path):
        out = tmp_path / "d1.xlsx"
        call_command("export_report", "--period", "2019-H1", "--format", "xlsx", "--out", str(out), "--unit", "D1")
        assert load_workbook(out)["Báo cáo"]["A2"].value == "HUYỆN 1"

    @pytest.mark.parametrize(("args", "message"), [
        (["--period", "2019-X", "--format", "pdf"], "Kỳ báo cáo “2019-X” không hợp lệ"),
        (["--period", "2019", "--format", "doc"], "Định dạng “doc” không hỗ trợ"),
        (["--period", "2019", "--format", "pdf", "--unit", "NOPE"], "Không có đơn vị mã “NOPE”"),
    ])
    def test_export_report_explains_bad_arguments(self, w, tmp_path, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("export_report", *args, "--out", str(tmp_path / "x"))
        assert not (tmp_path / "x").exists()
