"""One display rule for a target's share, and due states that read right, on every surface (issue 17)."""
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from programs.models import Target
from reports.exports.generator import PeriodicReportGenerator
from reports.models import TargetResult
from reports.tests.dash_factories import put_result, world

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 1, 8)


@pytest.mark.parametrize("numerator, denominator, operator, precision, shown", [
    (1447, 1850, "GT", 1, (Decimal("78.2"), 1)),      # Báo cáo 03/BC-BCĐ: 78,2%
    (1447, 1850, "GT", 2, (Decimal("78.22"), 2)),     # a target configured with two decimals
    (191, 201, "GT", 1, (Decimal("95.02"), 2)),       # 95,0% would read as failing "trên 95%"
    (190, 200, "GT", 1, (Decimal("95.0"), 1)),        # exactly 95: fails "trên", and reads so
    (1899, 2000, "GTE", 1, (Decimal("94.95"), 2)),    # 95,0% would read as meeting "từ 95%"
    (1901, 2000, "GT", 0, (Decimal("95.1"), 1)),      # 95% (no decimals) would read as failing "trên 95%"
])
def test_the_shown_share_has_the_targets_precision_and_more_digits_only_when_the_decision_needs_them(
    numerator, denominator, operator, precision, shown,
):
    target = Target(threshold_percent=Decimal("95"), operator=operator, display_precision=precision)
    value, places = target.display_percent(numerator, denominator)
    assert (value, places) == shown
    assert target.meets(numerator, denominator) == (value > 95 if operator == "GT" else value >= 95)


@pytest.fixture
def w():
    w = world()
    put_result("ngay_hoi_kdc", w["province"], 2020, 191, 201)
    put_result("ngay_hoi_kdc", w["d1"], 2020, 100, 100)
    put_result("ngay_hoi_kdc", w["d2"], 2020, 91, 101)
    put_result("bctmt_kha_tro_len", w["province"], 2019, 92, 100)
    put_result("bctmt_kha_tro_len", w["province"], 2020, 80, 100, due=False)
    put_result("bctmt_kha_tro_len", w["province"], 2018, 70, 100, due=False)
    return w


def _text(response):
    return response.content.decode()


def test_the_dashboard_targets_page_exports_command_and_api_show_95_02_percent_and_the_verdict(w, client):
    """191/201 = 95,02…%: every surface shows "95,02%" (not "95,0% … Đạt"), the API also keeps 95.02."""
    client.force_login(w["staff"])
    dashboard = _text(client.get(reverse("dashboard:index"), {"year": 2020}))
    board = _text(client.get(reverse("targets:year", args=[2020])))
    for page in (dashboard, board):
        assert "95,02%" in page and "95,0%" not in page
    doc = Document(io.BytesIO(PeriodicReportGenerator(unit=w["province"], period="2020", fmt="docx", today=TODAY).generate()))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any("đạt 95,02% (191/201 đơn vị) — Đạt." in t for t in texts)
    assert "95,02%" in texts and "100,0%" in texts
    book = load_workbook(io.BytesIO(PeriodicReportGenerator(unit=w["province"], period="2020", fmt="xlsx", today=TODAY).generate()))
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value == 95.02]
    assert cells and all(c.number_format == "0.00" for c in cells)
    hundred = [c for s in book.worksheets[1:] for row in s.iter_rows() for c in row if c.value == 100]
    assert hundred and all(c.number_format == "0.0" for c in hundred)
    api = client.get(reverse("api:target-results"), {"year": 2020, "unit": "20"}).json()
    festival = next(r for r in api if r["target"] == "ngay_hoi_kdc")
    assert festival["percent"] == 95.02 and festival["percent_display"] == "95,02%"


def test_a_precision_of_two_shows_78_22_everywhere(w, client):
    Target.objects.filter(code="ngay_hoi_kdc").update(display_precision=2)
    TargetResult.objects.filter(target__code="ngay_hoi_kdc", unit=w["province"]).update(numerator=1447, denominator=1850)
    client.force_login(w["staff"])
    assert "78,22%" in _text(client.get(reverse("targets:year", args=[2020])))
    assert "78,22%" in _text(client.get(reverse("dashboard:index"), {"year": 2020}))


def test_a_rating_target_due_in_2019_reads_its_2019_verdict_in_2020_and_not_due_in_2018(w, client):
    client.force_login(w["staff"])
    for page in (_text(client.get(reverse("targets:year", args=[2020]))),
                 _text(client.get(reverse("dashboard:index"), {"year": 2020}))):
        assert "Kết quả năm đánh giá (2019): 92,0% — Đạt" in page
    page_2018 = _text(client.get(reverse("targets:year", args=[2018])))
    assert "Chưa đến hạn" in page_2018 and "Kết quả năm đánh giá" not in page_2018
    doc = Document(io.BytesIO(PeriodicReportGenerator(unit=w["province"], period="2020", fmt="docx", today=TODAY).generate()))
    assert any("Kết quả năm đánh giá (2019): 92,0% — Đạt" in p.text for p in doc.paragraphs)


def test_a_target_for_2020_only_is_absent_from_2018_pages_and_exports(w, client):
    Target.objects.filter(code="ngay_hoi_kdc").update(first_year=2020)
    client.force_login(w["staff"])
    name = Target.objects.get(code="ngay_hoi_kdc").name
    for page in (_text(client.get(reverse("targets:year", args=[2018]))),
                 _text(client.get(reverse("dashboard:index"), {"year": 2018}))):
        assert 'data-target="ngay_hoi_kdc"' not in page
    assert 'data-target="ngay_hoi_kdc"' in _text(client.get(reverse("targets:year", args=[2020])))
    assert client.get(reverse("targets:units", args=[2018, "ngay_hoi_kdc", "20"])).status_code == 404
    doc = Document(io.BytesIO(PeriodicReportGenerator(unit=w["province"], period="2018", fmt="docx", today=TODAY).generate()))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert not any(name in t for t in texts)
