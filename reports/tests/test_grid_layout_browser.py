"""The entry grid for a real district in a real browser, on a laptop (1280×800) and a phone (360×740):
the unit's name and the column headings stay in view, the actions stay reachable, unsaved edits are not
lost by leaving, and a refused save followed by "Gửi báo cáo" does not submit."""

import pytest
from django.conf import settings
from django.test import Client

from mattran.models import UnitKind
from reports.models import Submission, SubmissionStatus
from reports.periods import PeriodType
from reports.submissions.services import submission_get_or_create, values_save
from reports.tests.factories import cells, make_form, make_indicator, make_world
from tests.browser import launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = (1280, 800), (360, 740)
SIZES = pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1280x800", "360x740"])


@pytest.fixture
def browse(live_server):
    """open(user, path, size) → a page of headless Chromium signed in as ``user``."""
    with launched_chromium() as browser:

        def open_page(user, path, size):
            client = Client()
            client.force_login(user)
            context = browser.new_context(viewport={"width": size[0], "height": size[1]})
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.goto(f"{live_server.url}{path}")
            return page

        yield open_page
        browser.close()


def wide_world():
    """120 areas in twelve communes and a yearly form of twelve number columns: wider and taller than a laptop."""
    world = make_world(communes=12, areas_per_commune=10)
    columns = [make_indicator(f"t_rong_{i}", name=f"Số người tham gia hoạt động thứ {i} ở khu dân cư") for i in range(12)]
    form = make_form("t_rong", columns, period_type=PeriodType.YEARLY, row_kind=UnitKind.AREA, first_year=2018)
    return world, form, f"/bao-cao/{form.code}/{world.district.code}/2019/"


def in_view(page, selector):
    """Whether the element is inside the viewport and not covered by anything (the sticky parts included)."""
    return page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector);
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) return false;
            const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2);
            return el === hit || el.contains(hit);
        }""",
        selector,
    )


@SIZES
def test_after_tabbing_to_the_last_column_the_rows_unit_name_is_visible(browse, size):
    world, _form, path = wide_world()
    page = browse(world.officer, path, size)
    row = 42
    if size == PHONE:  # one unit at a time
        assert not page.locator(f'.grid-cell[data-row="{row}"][data-col="0"]').is_visible()
    # Found by name, without its accents, as an officer would: on a phone its card shows, on a laptop its
    # first cell takes the focus.
    page.fill("#card-search", "thon 004-2")
    page.keyboard.press("Enter")
    if size == PHONE:
        assert page.locator("#card-pos").inner_text() == f"{row + 1} / 120"
        page.locator(f'.grid-cell[data-row="{row}"][data-col="0"]').focus()
    assert page.evaluate("() => [document.activeElement.dataset.row, document.activeElement.dataset.col]") == [str(row), "0"]
    for _ in range(11):
        page.keyboard.press("Tab")
    assert page.evaluate("() => [document.activeElement.dataset.row, document.activeElement.dataset.col]") == [str(row), "11"]
    assert in_view(page, f'tr[data-row="{row}"] .grid-cell[data-col="11"]')
    assert in_view(page, f'tr[data-row="{row}"] > th'), "the unit's name scrolled out of view"
    assert page.locator(f'tr[data-row="{row}"] > th').inner_text() == world.areas[row].name
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]  # the page never scrolls sideways
    assert not page.errors


@SIZES
def test_after_scrolling_down_3000_px_the_column_headings_are_visible(browse, size):
    world, _form, path = wide_world()
    page = browse(world.officer, path, size)
    page.locator('.grid-cell[data-row="3"][data-col="0"]').focus()
    box = page.locator("#grid-wrap").bounding_box()
    page.mouse.move(min(box["x"] + box["width"] / 2, size[0] - 10), min(box["y"] + 200, size[1] - 200))
    for _ in range(32):  # 3,200 px of wheel: the page moves first until the grid fills the window, then the grid
        page.mouse.wheel(0, 100)
    page.wait_for_timeout(300)
    scrolled = page.evaluate("() => document.getElementById('grid-wrap').scrollTop + window.scrollY")
    if size == LAPTOP:
        assert scrolled >= 3000
        assert in_view(page, "#hu") and in_view(page, "#h0")
    else:
        # One unit at a time: the page is one card long, and each field carries its column's heading.
        labels = page.evaluate(
            "() => [...document.querySelectorAll('tr.is-current > td')].map(td => getComputedStyle(td, '::before').content)"
        )
        assert labels == [f'"Số người tham gia hoạt động thứ {i} ở khu dân cư (cuộc)*"' for i in range(12)]
        assert in_view(page, "#card-pos") and in_view(page, "#card-search")
    assert in_view(page, "#save-draft")


@SIZES
def test_save_submit_and_review_actions_stay_in_the_viewport(browse, size):
    world = make_world(communes=8, areas_per_commune=10)
    submission = submission_get_or_create(form=world.festival, unit=world.district, period="2019", by=world.officer)
    path = f"/bao-cao/{world.festival.code}/{world.district.code}/2019/"
    page = browse(world.officer, path, size)
    for selector in ("#save-draft", "#submit-form"):
        assert in_view(page, selector), selector
    page.locator('.grid-cell[data-row="70"][data-col="1"]').focus()  # far down the page
    for selector in ("#save-draft", "#submit-form"):
        assert in_view(page, selector), selector
    page.keyboard.press("End")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    for selector in ("#save-draft", "#submit-form"):
        assert in_view(page, selector), selector
    # The reviewer's buttons of a submitted report, the same.
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.SUBMITTED)
    page = browse(world.staff, path, size)
    page.evaluate("() => { const wrap = document.getElementById('grid-wrap'); wrap.scrollTop = 2000; window.scrollTo(0, 2000); }")
    for selector in ("#approve", "#return", "textarea[name=reason]"):
        assert in_view(page, selector), selector


@SIZES
def test_leaving_with_an_unsaved_edit_asks_first(browse, size):
    world = make_world(communes=3, areas_per_commune=0)
    path = f"/bao-cao/{world.monthly.code}/{world.district.code}/2019-05/"
    page = browse(world.officer, path, size)
    dialogs = []

    def answer(dialog, accept):
        dialogs.append(dialog.type)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", lambda dialog: answer(dialog, accept=False))
    cell = page.locator('.grid-cell[data-row="0"][data-col="2"]')
    cell.focus()
    cell.fill("7")
    # An in-app link: the confirmation is asked, "cancel" stays with the edit.
    page.locator(".breadcrumb a").click()
    page.wait_for_timeout(300)
    assert dialogs == ["confirm"] and page.url.endswith(path) and cell.input_value() == "7"
    # The browser's own navigation (address bar, reload, back): its own "leave site?" question.
    page.evaluate("() => { window.location.href = '/bao-cao/'; }")
    page.wait_for_timeout(500)
    assert dialogs == ["confirm", "beforeunload"] and page.url.endswith(path) and cell.input_value() == "7"
    # Put back as it was: nothing to lose, no question.
    cell.fill("")
    with page.expect_navigation():
        page.locator(".breadcrumb a").click()
    assert dialogs == ["confirm", "beforeunload"] and page.url.endswith("/bao-cao/")


@SIZES
def test_a_refused_save_followed_by_submit_does_not_submit(browse, size):
    world = make_world(communes=3, areas_per_commune=0)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    full = {(c, code): "1" for c in world.communes for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}
    values_save(submission=submission, values=cells(world, full), by=world.officer, expected_version=1)
    path = f"/bao-cao/{world.monthly.code}/{world.district.code}/2019-05/"
    page = browse(world.officer, path, size)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    # Nine mediations succeeded out of one case: the page cannot see it, the server refuses the save.
    cell = page.locator('.grid-cell[data-row="0"][data-col="3"]')
    cell.focus()
    cell.fill("9")
    with page.expect_navigation():
        page.locator("#save-draft").click()
    assert "Chưa lưu: số liệu có lỗi." in page.locator("#errors").inner_text()
    assert page.locator('.grid-cell[data-row="0"][data-col="3"]').input_value() == "9"  # the typed value is kept
    with page.expect_navigation():
        page.locator("#submit-form").click()
    assert "Chưa gửi báo cáo: các thay đổi chưa lưu được." in page.locator("#refusal").inner_text()
    assert "Đã gửi" not in page.locator("main").inner_text()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.DRAFT
    # A cell the page knows is wrong holds "Gửi báo cáo" back before anything is sent.
    page.locator('.grid-cell[data-row="0"][data-col="2"]').fill("hai")
    page.locator("#submit-form").click()
    page.wait_for_timeout(300)
    assert page.url.endswith(path) and "còn 1 ô sai" in page.locator("#grid-where").inner_text()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.DRAFT
    assert dialogs == [] and not page.errors
