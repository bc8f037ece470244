"""Browser journeys against the live server, in Debian's headless Chromium.

The way a provincial office uses the portal: a district officer fills the festival grid with the
keyboard and submits it, provincial staff return it with a reason, the officer corrects and
resubmits, staff approve, and the targets, the names behind the percentage and the dashboard show
the new figures; the Excel round trip; the language switch; no request leaves the server; another
district's officer gets 404. Every step leaves a screenshot in ``test-artifacts/``
(``<journey>-<nn>-<step>.png``), named in the test output.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mattran.models import OfficerRole, UnitKind
from programs.models import Indicator
from reports.models import DataValue, ReportForm, Submission, SubmissionStatus, TargetResult
from reports.submissions import services
from tests.browser import launched_chromium
from tests.factories import DEMO_PASSWORD, make_officer, make_unit

# No serialized_rollback: once the sync Playwright loop runs in this thread, Django hands the tests a new
# connection object (contextvar storage) without the serialized snapshot, so nothing would be restored.
# The tree fixture runs the idempotent catalogue loaders instead.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
YEAR = "2019"
YEARS = [2016, 2017, 2018, 2019, 2020]  # the dashboard's trend axis
GRID = f"/bao-cao/ngay_hoi/DA/{YEAR}/"
TIMEOUT_MS = 15_000

# Every URL any page asked for, and every script error or script CSP violation, over all the journeys
# of this module (checked by the last test).
REQUESTED: list[str] = []
SCRIPT_PROBLEMS: list[str] = []


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def tree(transactional_db):
    """One province; district A with two communes of three residential areas; district B with one commune.

    The catalogue the data migrations load is put back by conftest.py for every transactional test.
    """
    province = make_unit("20", "Tỉnh Thử", UnitKind.PROVINCE)
    district_a = make_unit("DA", "Huyện A", UnitKind.DISTRICT, province)
    areas = []
    for c in (1, 2):
        commune = make_unit(f"DAC{c}", f"Xã A{c}", UnitKind.COMMUNE, district_a)
        for a in (1, 2, 3):
            areas.append(make_unit(f"DAC{c}A{a}", f"Thôn A{c}.{a}", UnitKind.AREA, commune, division_type="thôn"))
    district_b = make_unit("DB", "Huyện B", UnitKind.DISTRICT, province)
    make_unit("DBC1", "Xã B1", UnitKind.COMMUNE, district_b)
    return {
        "province": province, "district_a": district_a, "areas": areas,
        "officer": make_officer("huyena", district_a),
        "other_officer": make_officer("huyenb", district_b),
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
    }


class Browser:
    """Contexts and pages on the live server: every request recorded, screenshots numbered per journey."""

    def __init__(self, chromium, base_url: str, journey: str):
        self.chromium, self.base, self.journey, self.step = chromium, base_url, journey, 0
        self.contexts = []
        ARTIFACTS.mkdir(exist_ok=True)

    def page(self):
        context = self.chromium.new_context(base_url=self.base, viewport={"width": 1280, "height": 900},
                                            accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: REQUESTED.append(request.url))
        page.on("pageerror", lambda error: SCRIPT_PROBLEMS.append(f"{page.url}: {error}"))
        page.on("console", lambda message: "script-src" in message.text
                and SCRIPT_PROBLEMS.append(f"{page.url}: {message.text}"))
        return page

    def shot(self, page, name: str) -> Path:
        self.step += 1
        path = ARTIFACTS / f"{self.journey}-{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: test-artifacts/{path.name}")
        return path

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser_for(chromium, live_server):
    opened = []

    def start(journey: str) -> Browser:
        session = Browser(chromium, live_server.url, journey)
        opened.append(session)
        return session

    yield start
    for session in opened:
        session.close()


def login(page, username: str, password: str = DEMO_PASSWORD):
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/dang-nhap/" not in page.url, f"{username} could not log in"


def festival_row_in_inbox(page):
    """Filter the inbox to the festival form and 2019, as an officer would, and find that record's row."""
    page.select_option("#id_form", label="Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư")
    page.select_option("#id_period", YEAR)
    with page.expect_navigation():
        page.click("#inbox-filters button")
    row = page.locator("#inbox tbody tr", has_text="Ngày hội Đại đoàn kết").filter(has_text=f"Năm {YEAR}")
    assert row.count() == 1, "the 2019 festival record is not in the inbox"
    return row


def focused(page):
    return page.evaluate("() => [document.activeElement.dataset.row, document.activeElement.dataset.col]")


def cell(page, row: int, col: int):
    return page.locator(f'.grid-cell[data-row="{row}"][data-col="{col}"]')


def stored(indicator_code: str, unit_code: str, period: str = YEAR):
    row = DataValue.objects.filter(indicator__code=indicator_code, unit__code=unit_code, period=period).first()
    return None if row is None else DataValue.typed_value(row, row.indicator.value_type)


def test_festival_record_goes_from_keyboard_entry_through_return_and_approval_to_the_targets(tree, browser_for):
    """Given a district officer and provincial staff, when the officer fills the festival grid with the
    keyboard and submits, staff return it with a reason, the officer corrects one area and resubmits and
    staff approve, then the festival target for 2019 reads 5 of 6 areas (83.33%) on the targets page and
    the dashboard, with the one area that did not hold it listed as not met."""
    run = browser_for("festival")
    officer = run.page()
    login(officer, "huyena")
    officer.goto("/bao-cao/")
    run.shot(officer, "inbox")
    row = festival_row_in_inbox(officer)
    run.shot(officer, "inbox-2019")
    with officer.expect_navigation():
        row.get_by_role("link").click()
    assert officer.url.endswith(GRID)
    assert officer.locator(".grid-cell").count() == 6 * 4

    # Column 0 ("held") top to bottom: a letter picks the option, Enter goes down.
    cell(officer, 0, 0).focus()
    for _row in range(6):
        officer.keyboard.press("c")  # "Có"
        officer.keyboard.press("Enter")
    assert focused(officer) == ["5", "0"]
    # The festival date, bottom to top: ArrowRight into column 1, ArrowUp between rows.
    officer.keyboard.press("ArrowRight")
    assert focused(officer) == ["5", "1"]
    for row_index in range(5, -1, -1):
        officer.keyboard.type(f"{10 + row_index}/11/2019")
        officer.keyboard.press("ArrowUp")
    assert focused(officer) == ["0", "1"]
    # The first area also held both parts and the shared meal: Tab along the row.
    officer.keyboard.press("Tab")
    officer.keyboard.press("c")
    officer.keyboard.press("Tab")
    officer.keyboard.press("c")
    officer.keyboard.press("Tab")
    assert focused(officer) == ["1", "0"]  # Tab from the last column wraps to the next row
    assert [cell(officer, r, 0).input_value() for r in range(6)] == ["1"] * 6
    assert cell(officer, 3, 1).input_value() == "13/11/2019"
    run.shot(officer, "grid-filled")
    with officer.expect_navigation():
        officer.click("#save-draft")
    assert officer.locator(".alert-success").count() == 1
    assert stored("ngay_hoi_to_chuc", "DAC2A3") is True
    assert str(stored("ngay_hoi_ngay", "DAC1A2")) == "2019-11-11"
    assert stored("ngay_hoi_bua_com", "DAC1A1") is True
    with officer.expect_navigation():
        officer.click("#submit-form")
    assert Submission.objects.get(form__code="ngay_hoi", unit__code="DA", period=YEAR).status == SubmissionStatus.SUBMITTED
    run.shot(officer, "submitted")

    # Provincial staff, in a browser of their own, return it with a reason.
    staff = run.page()
    login(staff, "tinh")
    staff.goto("/bao-cao/")
    queued = staff.locator("#review-queue tr", has_text="Huyện A")
    run.shot(staff, "staff-queue")
    with staff.expect_navigation():
        queued.get_by_role("link").click()
    reason = "Thôn A2.3 không tổ chức Ngày hội năm 2019, đề nghị sửa."
    staff.fill("textarea[name=reason]", reason)
    with staff.expect_navigation():
        staff.click("#return")
    run.shot(staff, "returned")

    # The officer sees the reason in the inbox and on the grid, corrects the area and resubmits.
    officer.goto("/bao-cao/")
    row = festival_row_in_inbox(officer)
    assert reason in row.inner_text()
    assert "Bị trả lại" in row.inner_text()
    run.shot(officer, "inbox-returned")
    officer.goto(GRID)
    assert reason in officer.locator(".alert-warning").inner_text()
    cell(officer, 5, 0).focus()
    officer.keyboard.press("k")  # "Không"
    officer.keyboard.press("Tab")
    officer.keyboard.press("Delete")  # the date cell's text is selected on arrival
    assert cell(officer, 5, 0).input_value() == "0"
    assert cell(officer, 5, 1).input_value() == ""
    run.shot(officer, "corrected")
    with officer.expect_navigation():
        officer.click("#save-draft")
    assert officer.locator(".alert-success").count() == 1
    with officer.expect_navigation():
        officer.click("#submit-form")
    assert officer.locator(".alert-success").count() == 1, officer.locator("main").inner_text()
    assert stored("ngay_hoi_to_chuc", "DAC2A3") is False

    # Staff approve; the targets recompute.
    staff.goto(GRID)
    with staff.expect_navigation():
        staff.click("#approve")
    assert Submission.objects.get(form__code="ngay_hoi", unit__code="DA", period=YEAR).status == SubmissionStatus.APPROVED
    run.shot(staff, "approved")
    result = TargetResult.objects.get(target__code="ngay_hoi_kdc", unit__code="20", year=2019)
    assert (result.numerator, result.denominator) == (5, 6)

    staff.goto(f"/chi-tieu/{YEAR}/")
    assert staff.locator("h1").inner_text() == f"Chỉ tiêu năm {YEAR} — Tỉnh Thử"  # a year, not "2.019"
    card = staff.locator('[data-target="ngay_hoi_kdc"]')
    assert re.sub(r"\s", "", card.locator(".js-percent").inner_text()) == "83,3%"  # the target's one decimal
    assert "5/6" in card.inner_text()
    run.shot(staff, "targets")
    with staff.expect_navigation():
        card.get_by_role("link").click()
    assert staff.url.endswith(f"/chi-tieu/{YEAR}/ngay_hoi_kdc/20/")
    assert "Không đạt" in staff.locator("#not_met").inner_text()
    counts = {key: staff.locator(f"[data-count={key}]").inner_text() for key in ("met", "not_met", "not_reported")}
    assert counts == {"met": "5", "not_met": "1", "not_reported": "0"}
    not_met = staff.locator('#names [data-status="not_met"]')
    assert not_met.count() == 1 and not_met.first.inner_text().startswith("Thôn A2.3")
    assert staff.locator('#names [data-status="met"]').count() == 5
    assert f"Năm {YEAR}" in staff.locator("main").inner_text()
    run.shot(staff, "names-behind-percentage")

    staff.goto(f"/tong-quan/?year={YEAR}")
    figure = staff.locator('#targets-table tr[data-target="ngay_hoi_kdc"]')
    text = re.sub(r"\s", "", figure.inner_text())
    assert ("83,33%" in text or "83.33%" in text or "83,3%" in text) and "5/6" in text, text
    trend = staff.evaluate("""() => {
        const chart = Chart.getChart("targets-chart");
        return chart.data.datasets.find(d => d.label.startsWith("Trên 95% khu dân cư")).data;
    }""")
    assert trend[YEARS.index(2019)] == pytest.approx(83.33)
    staff.wait_for_function("() => !Chart.animator.running(Chart.getChart('targets-chart'))")
    run.shot(staff, "dashboard")


def test_excel_template_round_trip_changes_one_value_after_the_preview(tree, browser_for):
    """Given a draft festival record where one area is recorded as not holding the festival, when the
    officer downloads the Excel template, marks that area as held with openpyxl, uploads it and confirms
    the preview (Không → Có), then the value is stored."""
    form = ReportForm.objects.get(code="ngay_hoi")
    submission = services.submission_get_or_create(form=form, unit=tree["district_a"], period="2018", by=tree["officer"])
    held = Indicator.objects.get(code="ngay_hoi_to_chuc")
    services.values_save(submission=submission, values={(tree["areas"][0].pk, held.pk): "0"}, by=tree["officer"],
                         expected_version=submission.version)
    assert stored("ngay_hoi_to_chuc", "DAC1A1", "2018") is False

    run = browser_for("excel")
    page = run.page()
    login(page, "huyena")
    page.goto("/bao-cao/ngay_hoi/DA/2018/")
    run.shot(page, "grid")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải mẫu Excel").click()
    download = download_info.value
    assert download.suggested_filename == "ngay_hoi_2018_DA.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = book.worksheets[0]
    codes = {sheet.cell(2, column).value: column for column in range(1, sheet.max_column + 1)}
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "DAC1A1")
    sheet.cell(row, codes["ngay_hoi_to_chuc"]).value = "có"
    changed = io.BytesIO()
    book.save(changed)

    page.goto("/bao-cao/ngay_hoi/DA/2018/tai-len/")
    page.set_input_files("input[name=file]", files=[{
        "name": "ngay_hoi_2018_DA.xlsx", "buffer": changed.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    run.shot(page, "upload")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/tai-len/" in page.url and page.url.rstrip("/").rsplit("/", 1)[-1] != "tai-len", page.url
    changes = page.locator("main table tbody tr")
    assert changes.count() == 1
    cells = changes.first.locator("td").all_inner_texts()
    assert "DAC1A1" in cells[1] and cells[3] == "Không" and cells[4] == "Có", cells
    assert stored("ngay_hoi_to_chuc", "DAC1A1", "2018") is False  # nothing saved before the confirmation
    run.shot(page, "preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    assert page.locator(".alert-success").count() == 1
    run.shot(page, "confirmed")
    assert stored("ngay_hoi_to_chuc", "DAC1A1", "2018") is True


def test_language_switch_turns_the_interface_to_english_and_back(tree, browser_for):
    """Given a logged-in officer, when they pick English in the navbar and then Vietnamese, then the
    page is in English (lang="en", "To do") and back in Vietnamese ("Việc cần làm")."""
    run = browser_for("language")
    page = run.page()
    login(page, "huyena")
    page.goto("/bao-cao/")
    switch = page.locator("nav select[name=language]")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Việc cần làm"
    run.shot(page, "vietnamese")
    with page.expect_navigation():
        switch.select_option("en")
    assert page.url.endswith("/bao-cao/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "To do"
    run.shot(page, "english")
    with page.expect_navigation():
        page.locator("nav select[name=language]").select_option("vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Việc cần làm"
    run.shot(page, "vietnamese-again")


def test_another_districts_officer_gets_404_on_district_a_grid(tree, browser_for):
    """Given district B's officer, when they open district A's festival grid, template or upload page,
    then each answers 404 and nothing of district A shows."""
    run = browser_for("scope")
    page = run.page()
    login(page, "huyenb")
    for url in (GRID, f"{GRID}mau-excel/", f"{GRID}tai-len/"):
        response = page.goto(url)
        assert response.status == 404, url
        assert "Thôn A1.1" not in page.content()
    page.goto(GRID)
    run.shot(page, "not-found")
    assert not Submission.objects.filter(unit__code="DA").exists()


def test_no_page_requests_anything_outside_the_server(tree, browser_for, live_server):
    """Given every request recorded during the journeys (and a tour of the main pages here), then every
    URL is on the live server (or data:/blob:): no CDN, font or analytics request leaves it; and no page
    raised a script error or had a script refused by the Content-Security-Policy."""
    run = browser_for("offsite")
    page = run.page()
    login(page, "tinh")
    pages = ("/", "/bao-cao/", "/bao-cao/day-du/", GRID, f"{GRID}tai-len/", f"/chi-tieu/{YEAR}/",
             f"/chi-tieu/{YEAR}/ngay_hoi_kdc/20/", f"/tong-quan/?year={YEAR}", "/chuong-trinh/1/", "/cuoc-van-dong/",
             "/don-vi/", "/thi-dua/", "/so-theo-doi/")
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    run.shot(page, "last-page")
    assert len(REQUESTED) > 3 * len(pages)
    outside = sorted({url for url in REQUESTED if not url.startswith((live_server.url + "/", "data:", "blob:"))})
    assert outside == []
    assert SCRIPT_PROBLEMS == []
