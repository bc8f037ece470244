"""Exports of a sheet and of the ranking open in openpyxl / python-docx with title and figures."""
import io

import docx
import openpyxl
import pytest
from django.urls import reverse

from emulation import exports, recompute, services
from emulation.models import Criterion, Score

from . import factories as f

pytestmark = pytest.mark.django_db
YEAR = 2019


@pytest.fixture
def world():
    from emulation.models import EmulationGuide

    EmulationGuide.objects.filter(year=YEAR).delete()  # the example guides; a hand-made one replaces them
    t = f.tree(districts=2, communes=0, areas=0)
    t["guide"] = f.guide(YEAR)
    t["d1"], t["d2"] = t["districts"]
    t["d1_user"] = f.officer(t["d1"])
    t["province_user"] = f.officer(t["province"])
    sheet = services.sheet_get_or_create(guide=t["guide"], unit=t["d1"])
    services.score_self(score=Score.objects.get(sheet=sheet, criterion__code="A"), points="35.5", by=t["d1_user"])
    services.score_self(score=Score.objects.get(sheet=sheet, criterion__code="B"), points="20.25", by=t["d1_user"])
    f.result("ngay_hoi_kdc", t["d1"], YEAR, 18, 20)
    recompute.scores_recompute(year=YEAR)
    t["sheet"] = sheet
    return t


def xlsx_text(content):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return ws, [cell.value for row in ws.iter_rows() for cell in row if cell.value is not None]


def docx_text(content):
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return document, parts


def test_sheet_xlsx_has_the_official_title_points_total_and_font(client, world):
    client.force_login(world["d1_user"])
    response = client.get(reverse("emulation:sheet_export", args=[YEAR, world["d1"].pk, "xlsx"]))
    assert response.status_code == 200
    ws, values = xlsx_text(response.content)
    assert "BẢNG CHẤM ĐIỂM THI ĐUA NĂM 2019" in values
    assert 35.5 in values and 20.25 in values and 28.42 in values
    assert 84.17 in values and "Vững mạnh" in values
    assert ws["A4"].font.name == "Times New Roman" and ws["A4"].font.size == 14


def test_sheet_docx_has_the_official_title_and_figures(client, world):
    client.force_login(world["d1_user"])
    response = client.get(reverse("emulation:sheet_export", args=[YEAR, world["d1"].pk, "docx"]))
    document, parts = docx_text(response.content)
    assert "BẢNG CHẤM ĐIỂM THI ĐUA NĂM 2019" in parts
    assert "35,50" in parts and "84,17" in parts and "Vững mạnh" in parts
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 13


def test_ranking_exports_list_ranks_totals_and_bands(client, world):
    client.force_login(world["province_user"])
    xlsx = client.get(reverse("emulation:ranking_export", args=[YEAR, "xlsx"]))
    _ws, values = xlsx_text(xlsx.content)
    assert "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THI ĐUA NĂM 2019" in values
    assert world["d1"].name in values and world["d2"].name in values and 84.17 in values
    _doc, parts = docx_text(client.get(reverse("emulation:ranking_export", args=[YEAR, "docx"])).content)
    assert "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THI ĐUA NĂM 2019" in parts
    assert "84,17" in parts and "Yếu" in parts


def test_ranking_export_of_a_district_officer_holds_only_its_district(client, world):
    client.force_login(world["d1_user"])
    _ws, values = xlsx_text(client.get(reverse("emulation:ranking_export", args=[YEAR, "xlsx"])).content)
    assert world["d1"].name in values and world["d2"].name not in values


def test_text_cells_cannot_become_formulas(world):
    """A criterion text starting with = + - @ is written as text with a leading apostrophe."""
    Criterion.objects.filter(section__guide=world["guide"], code="A").update(text="=HYPERLINK(\"http://x\")")
    world["d1"].name = "@SUM(1)"
    world["sheet"].unit = world["d1"]
    from emulation import selectors

    content = exports.sheet_xlsx(world["sheet"], selectors.sheet_sections(sheet=world["sheet"]))
    _ws, values = xlsx_text(content)
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)
    assert exports.safe_text("-1") == "'-1" and exports.safe_text("+a") == "'+a" and exports.safe_text("a=b") == "a=b"
