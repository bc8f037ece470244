"""The dashboard in a real browser: charts drawn from the JSON blocks, no Content-Security-Policy violation."""

import pytest
from django.conf import settings
from django.test import Client

from reports.tests.dash_factories import put_result, put_value, world
from tests.browser import launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_its_charts_without_csp_violations(live_server, tmp_path):
    w = world()
    for year, percent in ((2016, 91), (2017, 94), (2018, 96), (2019, 97)):
        put_result("ngay_hoi_kdc", w["province"], year, percent, 100)
        put_value("quy_vnn_thu", w["province"], str(year), 1000 * percent)
    put_result("ngay_hoi_kdc", w["d1"], 2019, 99, 100)
    client = Client()
    client.force_login(w["staff"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        problems = []
        # Script violations and JS errors only: the site-wide htmx indicator style is base.html's matter.
        page.on("console", lambda message: "script-src" in message.text and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{live_server.url}/tong-quan/?year=2019")
        page.wait_for_function("() => window.Chart && Chart.getChart('targets-chart') && Chart.getChart('figures-chart')")
        points = page.evaluate("() => Chart.getChart('targets-chart').data.datasets[0].data")
        # The money axis reads like the rest of the page: Vietnamese thousands separators.
        ticks = page.evaluate("() => Chart.getChart('figures-chart').scales.y.ticks.map((t) => t.label)")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        browser.close()
    assert points[:4] == [91, 94, 96, 97]
    assert any("." in label for label in ticks) and not any("," in label for label in ticks), ticks
    assert problems == []
