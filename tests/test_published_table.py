"""Configuration alone (issue 17): an administrator sets up a real published table in the browser, no shell.

Báo cáo 03/BC-BCĐ (08/01/2021): at the end of 2020, 1,447 of Lạng Sơn's 1,850 residential areas were
recognised as "thôn, tổ dân phố văn hóa", 78.2%. Given a tree of 2,281 areas, the administrator creates
the indicator, the form and the target in the admin, uploads an areas file that ends 431 of them
(preview, then confirm); two district officers upload their values through the Excel round trip and
submit; the province figure then reads "78,2%" (the target's one decimal) on the targets page, the
dashboard, the Word and PDF report, the Excel report (78.2 formatted "0.0") and compute_targets.
"""
from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from docx import Document
from openpyxl import load_workbook

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Indicator, Target
from reports.exports.data import build_report_data
from reports.exports.generator import PeriodicReportGenerator
from reports.exports.pdf import PdfFormatter
from reports.models import ReportForm, TargetResult
from reports.periods import Period
from tests.factories import DEMO_PASSWORD, make_officer, make_unit
from tests.test_journeys import browser_for, chromium, login  # noqa: F401 - fixtures and helpers

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# District: (areas in the list before the upload, areas the file ends, areas recognised in 2020).
DISTRICTS = {"DA": (1200, 200, 800), "DB": (1081, 231, 647)}
AREAS_PER_COMMUNE = 100
ENDED_ON = datetime.date(2020, 6, 30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def area_code(district: str, number: int) -> str:
    return f"{district}K{number:04d}"


@pytest.fixture
def province_with_2281_areas(transactional_db):
    """Lạng Sơn's list before the 2020 mergers: 2,281 areas in two districts, written set-based."""
    province = make_unit("20", "Tỉnh Lạng Sơn", UnitKind.PROVINCE)
    areas = []
    for code, (count, _ended, _recognised) in DISTRICTS.items():
        district = make_unit(code, f"Huyện {code}", UnitKind.DISTRICT, province)
        communes = [
            make_unit(f"{code}C{c:02d}", f"Xã {code}{c}", UnitKind.COMMUNE, district)
            for c in range((count + AREAS_PER_COMMUNE - 1) // AREAS_PER_COMMUNE)
        ]
        areas += [
            Unit(code=area_code(code, n), name=f"Thôn {code} {n}", kind=UnitKind.AREA, division_type="thôn",
                 parent=communes[n // AREAS_PER_COMMUNE])
            for n in range(count)
        ]
    Unit.objects.bulk_create(areas, batch_size=2000)
    Unit.refresh_ancestor_columns()
    return province


def areas_file() -> bytes:
    """Every area of the list; the last ``ended`` of each district end on 30/06/2020."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ma_xa", "ma_kdc", "ten_kdc", "loai", "hieu_luc_tu", "hieu_luc_den"])
    for unit in Unit.objects.filter(kind=UnitKind.AREA).select_related("parent", "district").order_by("code"):
        count, ended, _recognised = DISTRICTS[unit.district.code]
        number = int(unit.code[-4:])
        end = ENDED_ON.strftime("%d/%m/%Y") if number >= count - ended else ""
        writer.writerow([unit.parent.code, unit.code, unit.name, "thôn", "", end])
    return out.getvalue().encode("utf-8")


def select2(page, field_id: str, term: str) -> None:
    """Pick an option in an admin autocomplete: open it, type, click the answer that names ``term``."""
    page.locator(f"#{field_id}").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=term).first.click()


def save(page) -> None:
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".errornote").count() == 0, page.locator("#content").inner_text()


def test_an_administrator_sets_up_the_published_table_and_every_surface_reads_78_2_percent(
    province_with_2281_areas, browser_for, django_user_model, capsys,  # noqa: F811
):
    province = province_with_2281_areas
    django_user_model.objects.create_superuser("quantri", "quantri@example.org", DEMO_PASSWORD)
    officers = {code: make_officer(f"huyen.{code}", Unit.objects.get(code=code)) for code in DISTRICTS}
    make_officer("tinh", province, OfficerRole.PROVINCE_STAFF)
    run = browser_for("published-table")
    admin = run.page()
    login(admin, "quantri")

    # 1. The indicator: yes/no, one value per area and year.
    admin.goto("/admin/programs/indicator/add/")
    admin.fill("#id_code", "kdc_van_hoa")
    admin.fill("#id_name", "Khu dân cư được công nhận “thôn, tổ dân phố văn hóa”")
    admin.fill("#id_unit_label", "khu dân cư")
    admin.select_option("#id_value_type", "BOOLEAN")
    admin.select_option("#id_aggregation", "LAST")
    admin.select_option("#id_program", label="Chương trình 2: " + admin.locator("#id_program option", has_text="Chương trình 2").first.inner_text().split(": ", 1)[1])
    run.shot(admin, "indicator")
    save(admin)

    # 2. The yearly form, one row per area, submitted by the district; the indicator inline.
    admin.goto("/admin/reports/reportform/add/")
    admin.fill("#id_code", "kdc_van_hoa")
    admin.fill("#id_name", "Khu dân cư văn hóa")
    admin.select_option("#id_period_type", "YEARLY")
    admin.select_option("#id_row_kind", "AREA")
    admin.select_option("#id_submitter_kind", "DISTRICT")
    admin.fill("#id_first_year", "2020")
    admin.locator(".add-row a").first.click()
    select2(admin, "id_form_indicators-0-indicator", "kdc_van_hoa")
    run.shot(admin, "form")
    save(admin)
    assert list(ReportForm.objects.get(code="kdc_van_hoa").indicators.values_list("code", flat=True)) == ["kdc_van_hoa"]

    # 3. The target, refused first with the wrong level (communes have no values), then saved.
    admin.goto("/admin/programs/target/add/")
    admin.fill("#id_code", "kdc_van_hoa_2020")
    admin.fill("#id_name", "Tỷ lệ khu dân cư được công nhận văn hóa năm 2020")
    select2(admin, "id_indicator", "kdc_van_hoa")
    admin.check("input[name=counted_kinds][value=COMMUNE]")
    admin.select_option("#id_condition", "IS_TRUE")
    admin.select_option("#id_operator", "GTE")
    admin.fill("#id_threshold_percent", "75")
    admin.fill("#id_display_precision", "1")
    admin.fill("#id_first_year", "2020")
    admin.fill("#id_last_year", "2020")
    with admin.expect_navigation():
        admin.click("input[name=_save]")
    assert "Cấp xã không có giá trị của chỉ số" in admin.locator(".errorlist").first.inner_text()
    run.shot(admin, "target-refused")
    admin.uncheck("input[name=counted_kinds][value=COMMUNE]")
    admin.check("input[name=counted_kinds][value=AREA]")
    save(admin)
    assert Target.objects.get(code="kdc_van_hoa_2020").counted_kinds == ["AREA"]

    # 4. The areas file: the preview says 431 ended and saves nothing; the confirm ends them.
    admin.goto("/admin/mattran/unit/")
    with admin.expect_navigation():
        admin.get_by_role("link", name="Tải lên danh mục khu dân cư").click()
    admin.set_input_files("input[name=file]", files=[{"name": "kdc-2020.csv", "buffer": areas_file(), "mimeType": "text/csv"}])
    with admin.expect_navigation():
        admin.click("#content form input[type=submit]")
    assert "Thêm mới 0, thay đổi 0, kết thúc 431, không đổi 1.850." in admin.locator("#preview-summary").inner_text()
    assert Unit.objects.filter(kind=UnitKind.AREA, valid_to__isnull=False).count() == 0
    run.shot(admin, "areas-preview")
    with admin.expect_navigation():
        admin.click("input[name=confirm]")
    assert Unit.objects.filter(kind=UnitKind.AREA).active_on(datetime.date(2020, 12, 31)).count() == 1850
    run.shot(admin, "areas-confirmed")

    # 5. Each district officer downloads the template, marks the recognised areas, uploads, confirms, submits.
    for code, (count, ended, recognised) in DISTRICTS.items():
        officer = run.page()
        login(officer, officers[code].username)
        grid = f"/bao-cao/kdc_van_hoa/{code}/2020/"
        officer.goto(grid)
        with officer.expect_download() as download_info:
            officer.get_by_role("link", name="Tải mẫu Excel").click()
        book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
        sheet = book.worksheets[0]
        column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(2, c).value == "kdc_van_hoa")
        rows = [r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 1).value or "").startswith(f"{code}K")]
        assert len(rows) == count - ended  # the ended areas are no longer rows of the 2020 form
        for index, row in enumerate(rows):
            sheet.cell(row, column).value = "có" if index < recognised else "không"
        filled = io.BytesIO()
        book.save(filled)
        officer.goto(f"{grid}tai-len/")
        officer.set_input_files("input[name=file]", files=[{"name": "kdc.xlsx", "buffer": filled.getvalue(), "mimeType": XLSX}])
        with officer.expect_navigation():
            officer.click("main form button[type=submit]")
        with officer.expect_navigation():
            officer.get_by_role("button", name="Xác nhận").click()
        assert officer.locator(".alert-success").count() == 1
        officer.goto(grid)
        with officer.expect_navigation():
            officer.click("#submit-form")
        assert officer.locator(".alert-success").count() == 1, officer.locator("main").inner_text()

    result = TargetResult.objects.get(target__code="kdc_van_hoa_2020", unit=province, year=2020)
    assert (result.numerator, result.denominator, result.not_reported, str(result.percent)) == (1447, 1850, 0, "78.22")

    # 6. Every surface reads 78,2%.
    staff = run.page()
    login(staff, "tinh")
    staff.goto("/chi-tieu/2020/")
    card = staff.locator('[data-target="kdc_van_hoa_2020"]')
    assert card.locator(".js-percent").inner_text().strip() == "78,2%"
    assert "1.447/1.850 đơn vị" in card.inner_text() and "Đạt" in card.inner_text()
    run.shot(staff, "targets")
    staff.goto("/tong-quan/?year=2020")
    row = staff.locator('#targets-table tr[data-target="kdc_van_hoa_2020"]')
    assert "78,2%" in row.inner_text() and "1.447 / 1.850" in row.inner_text()
    run.shot(staff, "dashboard")

    today = datetime.date(2021, 1, 8)
    docx = Document(io.BytesIO(PeriodicReportGenerator(unit=province, period="2020", fmt="docx", today=today).generate()))
    texts = [p.text for p in docx.paragraphs] + [c.text for t in docx.tables for r in t.rows for c in r.cells]
    assert any("đạt 78,2% (1.447/1.850 đơn vị) — Đạt." in t for t in texts)
    html = render_to_string(PdfFormatter.template_name, {"data": build_report_data(province, Period.parse("2020"), today)})
    assert "đạt 78,2% (1.447/1.850 đơn vị)" in html and "78,22" not in html
    book = load_workbook(io.BytesIO(PeriodicReportGenerator(unit=province, period="2020", fmt="xlsx", today=today).generate()))
    shares = [c for s in book.worksheets for r in s.iter_rows() for c in r if c.value == 78.2]
    assert shares and all(c.number_format == "0.0" for c in shares)
    assert not [c for s in book.worksheets for r in s.iter_rows() for c in r if c.value == 78.22]
    capsys.readouterr()
    call_command("compute_targets", "--year", "2020")
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("kdc_van_hoa_2020"))
    assert line.split()[:4] == ["kdc_van_hoa_2020", "20", "1.447/1.850", "78,2%"]
    assert Indicator.objects.get(code="kdc_van_hoa").program.number == 2
