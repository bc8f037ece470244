"""A district or commune with nothing reported reads "Chưa báo cáo", never "0% Không đạt": pages and exports.

"Nothing reported" is one rule (``TargetResult.nothing_reported``): the unit's subtree has units to count
and none of them has a counted value (submitted or approved) of the target's indicator that year.
A unit that reported and failed everywhere is still 0% "Không đạt".
"""
import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Target
from reports.exports.data import build_report_data
from reports.exports.generator import PeriodicReportGenerator
from reports.formatting import shown_percent
from reports.models import SubmissionStatus, TargetResult
from reports.periods import Period
from reports.targets import runs
from reports.targets.judgement import NOT_ACHIEVED, NOT_REPORTED, PAST_DUE, judge
from reports.tests.computation_world import unit
from reports.tests.target_factories import festival
from tests.factories import make_officer, make_tree, make_unit

pytestmark = pytest.mark.django_db
YEAR = 2019
FESTIVAL = "ngay_hoi_kdc"


@pytest.fixture
def world():
    """D1 held the festival everywhere (approved); D2 sent nothing; D3 reported "no" everywhere."""
    province = make_tree(districts=3, communes=2, areas=3)
    festival(unit("D1"), YEAR, {a: True for a in Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)})
    festival(unit("D3"), YEAR, {a: False for a in Unit.objects.filter(district__code="D3", kind=UnitKind.AREA)},
             status=SubmissionStatus.SUBMITTED)
    festival(unit("D2"), YEAR, {a: True for a in Unit.objects.filter(district__code="D2", kind=UnitKind.AREA)},
             status=SubmissionStatus.DRAFT)  # a draft is not reported
    runs.years_recompute_inline([YEAR])
    return {
        "province": province,
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        "officer2": make_officer("huyen2", unit("D2")),
    }


def result(code):
    return TargetResult.objects.get(target__code=FESTIVAL, unit__code=code, year=YEAR)


def test_the_rule_reads_the_computed_counts_a_draft_is_not_a_report(world):
    assert result("D2").denominator == 6 and result("D2").not_reported == 6 and result("D2").nothing_reported
    assert result("D2C1").nothing_reported
    assert not result("D3").nothing_reported and result("D3").numerator == 0  # reported, and failed
    assert not result("D1").nothing_reported and not result("20").nothing_reported
    target = Target.objects.get(code=FESTIVAL)
    assert shown_percent(target, result("D2")).text == "Chưa báo cáo" and shown_percent(target, result("D2")).value is None
    assert shown_percent(target, result("D3")).text.startswith("0") and shown_percent(target, result("D3")).value == 0
    assert judge(target, result("D2"), YEAR).status == NOT_REPORTED
    assert judge(target, result("D2"), YEAR).label == "Chưa báo cáo"
    assert judge(target, result("D3"), YEAR).status == NOT_ACHIEVED


def test_a_due_years_verdict_with_nothing_reported_reads_chua_bao_cao():
    target = Target(code="t", name="t", threshold_percent=80, due_year=2018, first_year=2016, last_year=2020)
    due = TargetResult(numerator=0, denominator=5, not_reported=5, achieved=False)
    judgement = judge(target, None, 2019, due)
    assert judgement.status == PAST_DUE and judgement.label == "Kết quả năm đánh giá (2018): Chưa báo cáo"


def test_the_targets_board_shows_chua_bao_cao_for_a_district_with_nothing_reported(world, client, django_assert_max_num_queries):
    client.force_login(world["staff"])
    with django_assert_max_num_queries(15):
        html = client.get(reverse("targets:year", args=[YEAR])).content.decode()
    rows = {code: row for code, row in re.findall(r'<tr data-unit="(D\d)">(.*?)</tr>', html, re.S)}
    festival_cell = {code: re.search(rf'<td class="text-end" data-target-cell="{FESTIVAL}">(.*?)</td>', row, re.S).group(1)
                     for code, row in rows.items()}
    assert "Chưa báo cáo" in festival_cell["D2"]
    assert "0,00%" not in festival_cell["D2"] and "Không đạt" not in festival_cell["D2"] and "0/6" not in festival_cell["D2"]
    assert "Không đạt" in festival_cell["D3"] and "(0/6)" in festival_cell["D3"]  # reported and failed: judged
    assert "100" in festival_cell["D1"] and "Đạt" in festival_cell["D1"]
    # The district's own board.
    html = client.get(reverse("targets:year", args=[YEAR]) + "?unit=D2").content.decode()
    card = html.split(f'data-target="{FESTIVAL}"')[1].split("</section>")[0]
    assert "Chưa báo cáo" in card and "Chưa có đơn vị nào trong 6 đơn vị báo cáo." in card
    assert "js-percent" not in card and "Không đạt" not in card and "0,00%" not in card


def test_a_district_officer_sees_chua_bao_cao_on_their_own_board_and_dashboard(world, client):
    client.force_login(world["officer2"])
    html = client.get(reverse("targets:year", args=[YEAR])).content.decode()
    card = html.split(f'data-target="{FESTIVAL}"')[1].split("</section>")[0]
    assert "Chưa báo cáo" in card and "Không đạt" not in card
    html = client.get(reverse("dashboard:index"), {"year": YEAR}).content.decode()
    row = html.split(f'<tr data-target="{FESTIVAL}">')[1].split("</tr>")[0]
    assert row.count("Chưa báo cáo") >= 2 and "Không đạt" not in row and "0,00%" not in row
    assert "Chưa có đơn vị nào trong 6 đơn vị báo cáo." in row and "0 / 6" not in row


def test_the_dashboard_tile_and_program_page_say_chua_bao_cao(world, client, django_assert_max_num_queries):
    client.force_login(world["staff"])
    html = client.get(reverse("dashboard:index"), {"year": YEAR}).content.decode()
    tile = re.search(r'<a class="unit-tile tile-(\w+)"[^>]*data-unit="D2">(.*?)</a>', html, re.S)
    assert tile.group(1) == "no_data" and "Chưa báo cáo" in tile.group(2)
    assert re.search(r'class="unit-tile tile-bad"[^>]*data-unit="D3"', html)  # reported and failed
    number = Target.objects.get(code=FESTIVAL).program.number
    with django_assert_max_num_queries(15):
        html = client.get(reverse("dashboard:program", args=[number]), {"year": YEAR, "unit": "D2"}).content.decode()
    row = html.split(f'<tr data-target="{FESTIVAL}">')[1].split("</tr>")[0]
    assert "Chưa báo cáo" in row and "Không đạt" not in row and "0,00%" not in row


def test_the_board_needs_no_more_queries_when_more_districts_have_not_reported(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["staff"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("targets:year", args=[YEAR])).status_code == 200
        return len(queries)

    before = count()
    for d in range(4, 9):
        district = make_unit(f"D{d}", f"Huyện {d}", UnitKind.DISTRICT, world["province"])
        make_unit(f"D{d}C1A1", f"Thôn {d}", UnitKind.AREA, make_unit(f"D{d}C1", f"Xã {d}", UnitKind.COMMUNE, district))
    runs.years_recompute_inline([YEAR])
    assert result("D8").nothing_reported
    assert count() == before


def export(world, fmt):
    return PeriodicReportGenerator(unit=world["province"], period="2019", fmt=fmt, today=datetime.date(2020, 1, 10)).generate()


def test_the_official_reports_appendix_and_body_say_chua_bao_cao(world):
    data = build_report_data(world["province"], Period.parse("2019"), datetime.date(2020, 1, 10))
    appendix = data.appendices[-1]
    column = next(i for i, t in enumerate(Target.objects.filter(first_year__lte=YEAR, last_year__gte=YEAR).order_by("code"))
                  if t.code == FESTIVAL)
    rows = {name: values for name, values in appendix.rows}
    assert str(rows["Huyện 2"][column]) == "Chưa báo cáo" and str(rows["Huyện 3"][column]).startswith("0")
    # Word: the appendix cell and no bare "0,0%".
    document = Document(io.BytesIO(export(world, "docx")))
    table = document.tables[-1]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    assert cells["Huyện 2"][column + 1] == "Chưa báo cáo"
    assert cells["Huyện 3"][column + 1] in ("0%", "0,0%", "0,00%")
    # Excel: the words in the cell, a number where there is one.
    workbook = load_workbook(io.BytesIO(export(world, "xlsx")))
    sheet = workbook.worksheets[-1]
    values = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert values["Huyện 2"][column + 1] == "Chưa báo cáo" and values["Huyện 3"][column + 1] == 0
    assert values["Huyện 1"][column + 1] == 100


def test_a_districts_report_with_nothing_reported_says_so_in_its_body(world):
    data = build_report_data(unit("D2"), Period.parse("2019"), datetime.date(2020, 1, 10))
    line = next(t for s in data.sections for t in s.targets if t.target.code == FESTIVAL)
    assert line.sentence == (f"Chỉ tiêu “{line.target.name}”: chưa báo cáo (chưa có đơn vị nào trong 6 đơn vị báo cáo).")
    html = PeriodicReportGenerator(unit=unit("D2"), period="2019", fmt="docx", today=datetime.date(2020, 1, 10)).generate()
    texts = [p.text for p in Document(io.BytesIO(html)).paragraphs]
    assert line.sentence in texts and not any("đạt Chưa báo cáo" in t for t in texts)


def test_the_pdfs_page_says_chua_bao_cao_in_the_appendix_and_the_body(world):
    """The PDF prints this HTML (WeasyPrint): the appendix cell and the body line read "Chưa báo cáo"."""
    from django.template.loader import render_to_string

    from reports.exports.pdf import PdfFormatter

    data = build_report_data(world["province"], Period.parse("2019"), datetime.date(2020, 1, 10))
    html = render_to_string(PdfFormatter.template_name, {"data": data})
    rows = re.findall(r"<tr><td>Huyện 2</td>(.*?)</tr>", html, re.S)
    targets_row = rows[-1]  # the last appendix: the targets' shares by district
    assert "Chưa báo cáo" in targets_row and "0,0%" not in targets_row
    assert "0,0%" in re.findall(r"<tr><td>Huyện 3</td>(.*?)</tr>", html, re.S)[-1]  # the festival: reported, failed
    data = build_report_data(unit("D2"), Period.parse("2019"), datetime.date(2020, 1, 10))
    html = render_to_string(PdfFormatter.template_name, {"data": data})
    assert "chưa báo cáo (chưa có đơn vị nào trong 6 đơn vị báo cáo)" in html and "đạt Chưa báo cáo" not in html


def test_a_year_with_nothing_reported_is_a_gap_in_the_trend_charts_not_a_fall_to_zero(world, client):
    client.force_login(world["staff"])
    response = client.get(reverse("targets:year", args=[YEAR]) + "?unit=D2")
    series = next(s for s in response.context["chart"]["series"] if s["code"] == FESTIVAL)
    assert series["values"][response.context["chart"]["years"].index(YEAR)] is None
    response = client.get(reverse("targets:year", args=[YEAR]) + "?unit=D3")
    series = next(s for s in response.context["chart"]["series"] if s["code"] == FESTIVAL)
    assert series["values"][response.context["chart"]["years"].index(YEAR)] == 0  # reported and failed
    html = client.get(reverse("dashboard:index"), {"year": YEAR, "unit": "D2"}).content.decode()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    festival_line = next(t for t in data["targets"] if t["code"] == FESTIVAL)
    assert festival_line["values"][data["years"].index(YEAR)] is None
