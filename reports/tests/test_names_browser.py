"""The names behind a percentage on a phone: pages, status pills, the district and commune
filters and a name, in headless Chromium at 360×740."""

import pytest
from django.conf import settings
from django.test import Client

from mattran.models import OfficerRole, Unit, UnitKind
from reports.targets import runs
from reports.tests.target_factories import festival
from tests.browser import launched_chromium
from tests.factories import make_officer, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2019


def test_a_provincial_officer_pages_and_filters_the_names_on_a_phone(live_server):
    province = make_tree(districts=2, communes=2, areas=30)  # 120 areas: three pages of 50
    d1_areas = Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)
    festival(Unit.objects.get(code="D1"), YEAR, {a: a.commune.code == "D1C1" for a in d1_areas})
    runs.years_recompute_inline([YEAR])
    client = Client()
    client.force_login(make_officer("tinh", province, OfficerRole.PROVINCE_STAFF))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/chi-tieu/{YEAR}/ngay_hoi_kdc/20/")
        rows = page.locator("#names li[data-unit]")
        assert rows.count() == 50 and "Trang 1/3" in page.content()
        first = {rows.nth(i).get_attribute("data-unit") for i in range(50)}
        page.get_by_role("link", name="Trang sau").click()
        assert "Trang 2/3" in page.content() and rows.count() == 50
        assert not first & {rows.nth(i).get_attribute("data-unit") for i in range(50)}

        page.get_by_role("link", name="Không đạt điều kiện").click()
        assert rows.count() == 30 and {rows.nth(i).get_attribute("data-status") for i in range(30)} == {"not_met"}
        assert page.locator("[data-count=not_reported]").inner_text() == "60"

        page.get_by_role("link", name="Tất cả").click()
        page.select_option("select[name=noi]", "D2")
        page.get_by_role("button", name="Lọc").click()
        assert rows.count() == 50 and page.locator("select[name=xa]").is_visible()
        page.select_option("select[name=xa]", "D2C2")
        page.fill("input[name=ten]", "Thôn 2.2.1")
        page.get_by_role("button", name="Lọc").click()
        codes = [rows.nth(i).get_attribute("data-unit") for i in range(rows.count())]
        assert codes == ["D2C2A1", *[f"D2C2A1{n}" for n in range(10)]]
        assert all(rows.nth(i).get_attribute("data-status") == "not_reported" for i in range(rows.count()))
        # Nothing on the page is wider than the phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        browser.close()
