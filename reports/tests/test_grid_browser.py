"""The entry grid in a real browser: keyboard movement and a block pasted from Excel."""

import pytest
from django.conf import settings
from django.test import Client

from reports.models import DataValue
from reports.tests.factories import make_world
from tests.browser import launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grid_page(live_server):
    """A district officer's grid of three communes × four indicators, open in headless Chromium."""
    world = make_world(communes=3, areas_per_commune=0)
    client = Client()
    client.force_login(world.officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with launched_chromium() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/bao-cao/t_thang/D1/2019-05/")
        yield page, world
        browser.close()


def focused(page):
    return page.evaluate("() => [document.activeElement.dataset.row, document.activeElement.dataset.col]")


def test_arrows_tab_and_enter_move_between_cells(grid_page):
    page, _world = grid_page
    page.locator('.grid-cell[data-row="0"][data-col="0"]').click()
    page.keyboard.type("5")
    page.keyboard.press("ArrowDown")
    assert focused(page) == ["1", "0"]
    page.keyboard.press("Tab")
    assert focused(page) == ["1", "1"]
    page.keyboard.press("Enter")
    assert focused(page) == ["2", "1"]
    page.keyboard.press("ArrowUp")
    assert focused(page) == ["1", "1"]
    page.keyboard.press("ArrowRight")
    assert focused(page) == ["1", "2"]
    page.keyboard.press("ArrowLeft")
    assert focused(page) == ["1", "1"]
    page.keyboard.press("Shift+Tab")
    assert focused(page) == ["1", "0"]
    page.locator('.grid-cell[data-row="0"][data-col="3"]').focus()
    page.keyboard.press("Tab")  # from the last column to the next row's first
    assert focused(page) == ["1", "0"]


def test_a_pasted_block_fills_the_cells_it_covers_and_the_totals_follow(grid_page):
    page, world = grid_page
    page.locator('.grid-cell[data-row="0"][data-col="2"]').focus()
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text/plain", "4\\t2\\n3\\t3\\r\\n1.234\\tabc\\n");
            document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    values = page.evaluate(
        "() => [0, 1, 2].map(r => [2, 3].map(c => document.querySelector(`.grid-cell[data-row='${r}'][data-col='${c}']`).value))"
    )
    assert values == [["4", "2"], ["3", "3"], ["1.234", "abc"]]
    assert page.locator('.grid-total[data-col="2"]').inner_text() == "1.241"  # 4 + 3 + 1234 in Vietnamese notation
    bad = page.locator('.grid-cell[data-row="2"][data-col="3"]')
    assert "is-invalid" in bad.get_attribute("class")
    bad.fill("1")
    assert "is-invalid" not in bad.get_attribute("class")
    page.locator("#save-draft").click()
    page.wait_for_selector(".alert-success")
    saved = dict(DataValue.objects.filter(indicator=world.indicators["hoa_giai_vu"]).values_list("unit__code", "value_number"))
    assert saved == {"D1C000": 4, "D1C001": 3, "D1C002": 1234}


def test_a_date_that_does_not_exist_is_called_so_as_it_is_typed(live_server):
    """31/11/2020 has the right form but no such day: the live check says so, as the server does,
    and a badly formed date gets the format message."""
    world = make_world(communes=1, areas_per_commune=2)
    client = Client()
    client.force_login(world.officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with launched_chromium() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/bao-cao/{world.festival.code}/D1/2019/")
        cells = page.locator('.grid-cell[data-type="DATE"]')
        cells.nth(0).fill("31/11/2020")
        cells.nth(0).dispatch_event("change")
        cells.nth(1).fill("2020/11/31x")
        cells.nth(1).dispatch_event("change")
        notes = page.evaluate(
            "() => [...document.querySelectorAll('.grid-cell[data-type=\"DATE\"]')].slice(0, 2)"
            ".map(c => c.closest('td').innerText)"
        )
        browser.close()
    assert "không có thật" in notes[0] and "ngày/tháng/năm" not in notes[0]
    assert "ngày/tháng/năm" in notes[1]
